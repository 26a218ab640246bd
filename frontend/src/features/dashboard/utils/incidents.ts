import type { Incident } from '../api/get-incidents';
import { formatDay, formatDayHourMinute, formatElapsed, formatHourMinute, formatShortDay } from './format';

export type Severity = Incident['severity'];

const DAY_MS = 86_400_000;

/** A stretch of time in epoch milliseconds, `from` < `to`. */
export interface TimeWindow {
  from: number;
  to: number;
}

/** The `days` days that end at `now`. */
export function timelineWindow(now: number, days: number): TimeWindow {
  return { from: now - days * DAY_MS, to: now };
}

/** How bad a severity (or an error alert's level) is: the higher, the worse. */
export const severityRank: Record<Severity, number> = { degraded: 1, critical: 2 };

/** The worst severity an incident reached: it may have escalated and come back down since. */
export function worstSeverity(incident: Pick<Incident, 'severity' | 'events'>): Severity {
  let worst = incident.severity;
  for (const event of incident.events) if (severityRank[event.severity] > severityRank[worst]) worst = event.severity;
  return worst;
}

/** Open incidents in the order to read them: critical before degraded, then the newest first. */
export function sortOpenIncidents(incidents: readonly Incident[]): Incident[] {
  return incidents
    .filter((incident) => incident.status === 'open')
    .sort(
      (a, b) =>
        severityRank[b.severity] - severityRank[a.severity] || Date.parse(b.opened_at) - Date.parse(a.opened_at),
    );
}

/** One incident as a bar of the timeline: where it starts and how wide it is, in percent of the window. */
export interface TimelineBar {
  id: number;
  /** The worst severity it reached: the bar's colour and pattern. */
  severity: Severity;
  open: boolean;
  silenced: boolean;
  /** Offset from the window's start and width, in percent of the window (0..100). */
  leftPct: number;
  widthPct: number;
  /** It began before the window: the bar is cut at the left edge. */
  clippedStart: boolean;
  /** Its real start and end (epoch ms; end is null while open), not cut to the window. */
  openedAt: number;
  resolvedAt: number | null;
  /** What the bar says in words: "LiveKit API, critical, Tue 4 Mar 03:12–03:40". */
  label: string;
}

/** One alert rule's row of the timeline. */
export interface TimelineRow {
  rule: Incident['rule'];
  ruleName: string;
  /** Oldest first. */
  bars: TimelineBar[];
}

// Rows in a fixed order, so they don't trade places as incidents come and go.
const RULE_ORDER: readonly string[] = [
  'health',
  'provider:daily_co',
  'provider:livekit',
  'provider:beyond_presence',
  'error_rate',
  'p95',
  'database',
  'pool',
];

const ruleRank = (rule: string) => {
  const rank = RULE_ORDER.indexOf(rule);
  return rank === -1 ? RULE_ORDER.length : rank;
};

/**
 * The timeline's rows: one per rule with an incident in `window`, each incident a bar from its
 * opening to its resolve (open ones to the window's end), cut to the window.
 */
export function toTimelineRows(incidents: readonly Incident[], window: TimeWindow): TimelineRow[] {
  const span = window.to - window.from;
  const rows = new Map<string, TimelineRow>();
  for (const incident of incidents) {
    const openedAt = Date.parse(incident.opened_at);
    const resolvedAt = incident.resolved_at === null ? null : Date.parse(incident.resolved_at);
    const open = incident.status === 'open' || resolvedAt === null;
    const end = Math.min(open ? window.to : resolvedAt!, window.to);
    const start = Math.max(openedAt, window.from);
    // Over before the window began, or opened after it ends (a clock ahead of ours): not on the chart.
    if (end < window.from || start > window.to) continue;

    const severity = worstSeverity(incident);
    const bar: TimelineBar = {
      id: incident.id,
      severity,
      open,
      silenced: incident.silenced,
      leftPct: ((start - window.from) / span) * 100,
      widthPct: (Math.max(0, end - start) / span) * 100,
      clippedStart: openedAt < window.from,
      openedAt,
      resolvedAt: open ? null : resolvedAt,
      label: barLabel(incident.rule_name, severity, openedAt, open ? null : resolvedAt, incident.silenced),
    };
    const row = rows.get(incident.rule) ?? { rule: incident.rule, ruleName: incident.rule_name, bars: [] };
    row.bars.push(bar);
    rows.set(incident.rule, row);
  }
  for (const row of rows.values()) row.bars.sort((a, b) => a.openedAt - b.openedAt);
  return [...rows.values()].sort((a, b) => ruleRank(a.rule) - ruleRank(b.rule) || a.ruleName.localeCompare(b.ruleName));
}

/** "Tue 4 Mar 03:12–03:40", "Mon 3 Mar 23:50 – Tue 4 Mar 00:20", or "since Tue 4 Mar 03:12" while open. */
export function formatIncidentSpan(openedAt: number, resolvedAt: number | null): string {
  if (resolvedAt === null) return `since ${formatDayHourMinute(openedAt)}`;
  if (formatDay(openedAt) === formatDay(resolvedAt)) {
    return `${formatDayHourMinute(openedAt)}–${formatHourMinute(resolvedAt)}`;
  }
  return `${formatDayHourMinute(openedAt)} – ${formatDayHourMinute(resolvedAt)}`;
}

/** How long an incident lasted, or "still open" while it is (resolvedAt null). */
export function formatIncidentDuration(openedAt: number, resolvedAt: number | null): string {
  return resolvedAt === null ? 'still open' : formatElapsed(resolvedAt - openedAt);
}

function barLabel(
  ruleName: string,
  severity: Severity,
  openedAt: number,
  resolvedAt: number | null,
  silenced: boolean,
): string {
  const parts = [
    ruleName,
    severity,
    formatIncidentSpan(openedAt, resolvedAt),
    formatIncidentDuration(openedAt, resolvedAt),
  ];
  if (silenced) parts.push('silenced');
  return parts.join(', ');
}

/** A midnight inside the window: a gridline, and the day that begins there. */
export interface DayTick {
  at: number;
  leftPct: number;
  /** "Tue 4" */
  label: string;
  /** Where the day's middle is, in percent of the window; null when the window ends before the day does. */
  labelPct: number | null;
}

/** The local midnights inside the window, oldest first. */
export function dayTicks(window: TimeWindow): DayTick[] {
  const span = window.to - window.from;
  const pct = (ms: number) => ((ms - window.from) / span) * 100;
  const ticks: DayTick[] = [];
  const day = new Date(window.from);
  day.setHours(0, 0, 0, 0);
  // Step by calendar day, not by 24 h, so a daylight saving change doesn't shift the ticks off midnight.
  day.setDate(day.getDate() + 1);
  while (day.getTime() < window.to) {
    const at = day.getTime();
    day.setDate(day.getDate() + 1);
    const end = day.getTime();
    ticks.push({
      at,
      leftPct: pct(at),
      label: formatShortDay(at),
      labelPct: end <= window.to ? pct((at + end) / 2) : null,
    });
  }
  return ticks;
}
