// Display formatting for the dashboard. Times are shown in the viewer's local time zone.

const pad = (n: number) => String(n).padStart(2, '0');

function toDate(value: Date | number | string): Date {
  return value instanceof Date ? value : new Date(value);
}

/** "14:05:09" */
export function formatClock(value: Date | number | string): string {
  const d = toDate(value);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** "14:05" */
export function formatHourMinute(value: Date | number | string): string {
  const d = toDate(value);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** "12,345" */
export function formatInteger(value: number): string {
  return integer.format(value);
}

/**
 * A fraction (0..1) as a percentage: two decimals below 1 % so that small but real
 * error rates don't round to zero, one decimal above.
 */
export function formatPercent(fraction: number): string {
  const pct = fraction * 100;
  const digits = pct > 0 && pct < 1 ? 2 : 1;
  return `${pct.toFixed(digits)}%`;
}

/** A value already in percent (0..100), one decimal: "62.5%". */
export function formatPercentValue(pct: number): string {
  return `${pct.toFixed(1)}%`;
}

/** A duration in milliseconds, in the largest unit that keeps it readable: "850 ms", "12.3 s", "4.2 min", "1.5 h". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms < 3_600_000) return `${(ms / 60_000).toFixed(1)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

/** An interval in milliseconds as spoken seconds: "5 seconds", "1 second". */
export function formatSeconds(ms: number): string {
  const seconds = ms / 1000;
  return `${seconds} ${seconds === 1 ? 'second' : 'seconds'}`;
}

/** Availability over a window, two decimals because 99.9 % and 99.99 % are different stories: "99.95%". */
export function formatUptime(fraction: number): string {
  if (fraction >= 1) return '100%';
  return `${(Math.floor(fraction * 10_000) / 100).toFixed(2)}%`;
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "Tue 4 Mar" */
export function formatDay(value: Date | number | string): string {
  const d = toDate(value);
  return `${WEEKDAYS[d.getDay()]} ${d.getDate()} ${MONTHS[d.getMonth()]}`;
}

/** "Tue 4", for an axis */
export function formatShortDay(value: Date | number | string): string {
  const d = toDate(value);
  return `${WEEKDAYS[d.getDay()]} ${d.getDate()}`;
}

/** "Tue 4 Mar 03:12" */
export function formatDayHourMinute(value: Date | number | string): string {
  return `${formatDay(value)} ${formatHourMinute(value)}`;
}

/**
 * How long something has lasted, to the minute, in at most two units: "under a minute",
 * "28 min", "3 h 5 min", "2 d 4 h". Negative spans (clock skew) count as none.
 */
export function formatElapsed(ms: number): string {
  const minutes = Math.floor(Math.max(0, ms) / 60_000);
  if (minutes < 1) return 'under a minute';
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
  const days = Math.floor(hours / 24);
  return hours % 24 === 0 ? `${days} d` : `${days} d ${hours % 24} h`;
}
