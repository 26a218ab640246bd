import { describe, expect, it } from 'vitest';
import {
  formatClock,
  formatDay,
  formatDayHourMinute,
  formatElapsed,
  formatDuration,
  formatHourMinute,
  formatInteger,
  formatPercent,
  formatPercentValue,
  formatSeconds,
  formatShortDay,
  formatUptime,
} from './format';

// vite.config.ts pins TZ=UTC for tests.
describe('formatClock / formatHourMinute', () => {
  it('renders local time with leading zeros', () => {
    expect(formatClock('2025-03-04T09:05:07Z')).toBe('09:05:07');
    expect(formatHourMinute('2025-03-04T09:05:07Z')).toBe('09:05');
  });
});

describe('formatPercent', () => {
  it.each([
    [0, '0.0%'],
    [0.0004, '0.04%'],
    [0.0123, '1.2%'],
    [0.05, '5.0%'],
    [1, '100.0%'],
  ])('%s → %s', (fraction, expected) => {
    expect(formatPercent(fraction)).toBe(expected);
  });

  it('formats values already in percent', () => {
    expect(formatPercentValue(62.5)).toBe('62.5%');
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0 ms'],
    [849.6, '850 ms'],
    [12_300, '12.3 s'],
    [252_000, '4.2 min'],
    [5_400_000, '1.5 h'],
  ])('%s ms → %s', (ms, expected) => {
    expect(formatDuration(ms)).toBe(expected);
  });
});

describe('formatSeconds', () => {
  it.each([
    [5_000, '5 seconds'],
    [1_000, '1 second'],
    [2_500, '2.5 seconds'],
  ])('%s ms → %s', (ms, expected) => {
    expect(formatSeconds(ms)).toBe(expected);
  });
});

describe('formatInteger', () => {
  it('groups thousands', () => {
    expect(formatInteger(12345)).toBe('12,345');
  });
});

describe('formatUptime', () => {
  it('never rounds a gap up to 100%', () => {
    expect(formatUptime(1)).toBe('100%');
    expect(formatUptime(0.99996)).toBe('99.99%');
    expect(formatUptime(0.9995)).toBe('99.95%');
    expect(formatUptime(0)).toBe('0.00%');
  });
});

describe('formatDay / formatDayHourMinute', () => {
  it('names the weekday, day and month in local time', () => {
    expect(formatDay('2025-03-04T23:59:00Z')).toBe('Tue 4 Mar');
    expect(formatShortDay('2025-03-04T23:59:00Z')).toBe('Tue 4');
    expect(formatDayHourMinute('2025-03-04T03:12:40Z')).toBe('Tue 4 Mar 03:12');
    expect(formatDayHourMinute('2024-12-29T00:00:00Z')).toBe('Sun 29 Dec 00:00');
  });
});

describe('formatElapsed', () => {
  it.each([
    [-5_000, 'under a minute'],
    [59_999, 'under a minute'],
    [60_000, '1 min'],
    [28 * 60_000 + 59_000, '28 min'],
    [3 * 3_600_000, '3 h'],
    [3 * 3_600_000 + 5 * 60_000, '3 h 5 min'],
    [2 * 86_400_000, '2 d'],
    [2 * 86_400_000 + 4 * 3_600_000 + 59 * 60_000, '2 d 4 h'],
  ])('%s ms → %s', (ms, expected) => {
    expect(formatElapsed(ms)).toBe(expected);
  });
});
