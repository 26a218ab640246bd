import { describe, expect, it } from 'vitest';
import {
  countCrossings,
  errorAxisTicks,
  hasTraffic,
  thresholdLabelStart,
  toErrorChartPoints,
  toThresholdLines,
} from './error-trend';
import type { ErrorTrend } from '../api/get-error-trend';

const hour = (h: number) => `2025-03-04T${String(h).padStart(2, '0')}:00:00Z`;

function trend(overrides: Partial<ErrorTrend> = {}): ErrorTrend {
  return {
    thresholds: { degraded: 0.02, critical: 0.05 },
    points: [
      { hour: hour(10), requests: 200, errors: 2, error_rate: 0.01, p95_ms: 180 },
      { hour: hour(11), requests: 100, errors: 3, error_rate: 0.03, p95_ms: 240 },
      { hour: hour(12), requests: 50, errors: 4, error_rate: 0.08, p95_ms: 900 },
    ],
    alerts: [
      { hour: hour(11), level: 'degraded', error_rate: 0.03 },
      { hour: hour(12), level: 'critical', error_rate: 0.08 },
    ],
    ...overrides,
  };
}

describe('toErrorChartPoints', () => {
  it('turns fractions into percent, labels hours and keeps the order', () => {
    const points = toErrorChartPoints(trend());
    expect(points.map((p) => p.label)).toEqual(['10:00', '11:00', '12:00']);
    expect(points[0]).toMatchObject({ requests: 200, errors: 2, p95Ms: 180, level: null });
    expect(points[0]?.ratePct).toBeCloseTo(1);
    expect(points[2]?.ratePct).toBeCloseTo(8);
  });

  it('marks the hours that crossed a threshold with the alert level', () => {
    expect(toErrorChartPoints(trend()).map((p) => p.level)).toEqual([null, 'degraded', 'critical']);
  });

  it('matches alert hours as instants, whatever the offset notation', () => {
    const points = toErrorChartPoints(
      trend({ alerts: [{ hour: '2025-03-04T11:00:00+00:00', level: 'degraded', error_rate: 0.03 }] }),
    );
    expect(points.map((p) => p.level)).toEqual([null, 'degraded', null]);
  });

  it('keeps the worst level when an hour has two alerts', () => {
    const points = toErrorChartPoints(
      trend({
        alerts: [
          { hour: hour(12), level: 'critical', error_rate: 0.08 },
          { hour: hour(12), level: 'degraded', error_rate: 0.08 },
        ],
      }),
    );
    expect(points[2]?.level).toBe('critical');
  });

  it('ignores alerts for hours outside the window', () => {
    const points = toErrorChartPoints(trend({ alerts: [{ hour: hour(3), level: 'critical', error_rate: 1 }] }));
    expect(points.every((p) => p.level === null)).toBe(true);
  });
});

describe('countCrossings', () => {
  it('counts hours per level', () => {
    expect(countCrossings(toErrorChartPoints(trend()))).toEqual({ degraded: 1, critical: 1 });
  });
});

describe('hasTraffic', () => {
  it('is false when no hour served a request', () => {
    const quiet = trend({
      points: [hour(10), hour(11)].map((h) => ({ hour: h, requests: 0, errors: 0, error_rate: 0, p95_ms: 0 })),
      alerts: [],
    });
    expect(hasTraffic(toErrorChartPoints(quiet))).toBe(false);
    expect(hasTraffic(toErrorChartPoints(trend()))).toBe(true);
  });
});

describe('thresholds on the axis', () => {
  it('converts thresholds to percent', () => {
    const lines = toThresholdLines({ degraded: 0.02, critical: 0.05 });
    expect(lines.degradedPct).toBeCloseTo(2);
    expect(lines.criticalPct).toBeCloseTo(5);
  });

  it('keeps the critical line in view when rates are low, and the peak when they are high', () => {
    const lines = { degradedPct: 2, criticalPct: 5 };
    const low = toErrorChartPoints(
      trend({ points: [{ hour: hour(1), requests: 9, errors: 0, error_rate: 0, p95_ms: 1 }] }),
    );
    expect(errorAxisTicks(low, lines)).toEqual([0, 2, 4, 6, 8]);
    expect(errorAxisTicks(toErrorChartPoints(trend()), lines)).toEqual([0, 2.5, 5, 7.5, 10]);
    const outage = toErrorChartPoints(
      trend({ points: [{ hour: hour(1), requests: 9, errors: 9, error_rate: 1, p95_ms: 1 }] }),
    );
    expect(errorAxisTicks(outage, lines)).toEqual([0, 25, 50, 75, 100]);
  });
});

describe('thresholdLabelStart', () => {
  /** 24 hours at 0.5%, with the given hours (0 = oldest) at `pct`. */
  const day = (spikes: Record<number, number>) =>
    Array.from({ length: 24 }, (_, i) => ({
      hour: hour(i),
      label: `${i}:00`,
      ratePct: spikes[i] ?? 0.5,
      requests: 100,
      errors: 1,
      p95Ms: 100,
      level: null,
    }));
  /** Percent of the plot width at hour `i` of 24. */
  const at = (i: number) => (i / 23) * 100;

  it('starts over the oldest hour when nothing reaches the line', () => {
    expect(thresholdLabelStart(day({}), 2)).toBe(0);
  });

  it('ignores spikes that stay below its own line', () => {
    expect(thresholdLabelStart(day({ 3: 3.1 }), 5)).toBe(0);
  });

  it('moves past an early hour that would run through it', () => {
    expect(thresholdLabelStart(day({ 6: 3.1 }), 2)).toBeCloseTo(at(7));
  });

  it('takes the first stretch long enough for the label, not the first one', () => {
    // Quiet stretches: 0–5, 7–16 and 18–23 (the demo's day): only 7–16 is ten hours long.
    expect(thresholdLabelStart(day({ 6: 3.1, 17: 7 }), 2)).toBeCloseTo(at(7));
  });

  it('takes the longest stretch when none is long enough', () => {
    expect(thresholdLabelStart(day({ 4: 3, 9: 3, 16: 3, 20: 3 }), 2)).toBeCloseTo(at(10));
  });

  it('starts at the left when every hour is above the line', () => {
    expect(thresholdLabelStart(day(Object.fromEntries(Array.from({ length: 24 }, (_, i) => [i, 9]))), 5)).toBe(0);
  });
});
