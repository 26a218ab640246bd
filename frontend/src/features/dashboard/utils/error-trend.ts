import type { Schema } from '@/types/schemas';
import type { ErrorTrend } from '../api/get-error-trend';
import { formatHourMinute } from './format';
import { severityRank } from './incidents';

export type AlertLevel = Schema<'ErrorAlert'>['level'];

/** One hour of the error chart; rates in percent (0..100) because that is what the axis shows. */
export interface ErrorChartPoint {
  hour: string;
  label: string;
  ratePct: number;
  requests: number;
  errors: number;
  p95Ms: number;
  /** Set when the backend raised an alert for this hour (it crossed a threshold). */
  level: AlertLevel | null;
}

export interface ThresholdLines {
  degradedPct: number;
  criticalPct: number;
}

/**
 * Chart rows from the /errors answer, oldest first, each hour marked with the alert the
 * backend raised for it. Hours are matched as instants, so "…Z" and "…+00:00" agree.
 */
export function toErrorChartPoints(trend: ErrorTrend): ErrorChartPoint[] {
  const alertByHour = new Map<number, AlertLevel>();
  for (const alert of trend.alerts) {
    const at = Date.parse(alert.hour);
    const known = alertByHour.get(at);
    if (!known || severityRank[alert.level] > severityRank[known]) alertByHour.set(at, alert.level);
  }
  return trend.points.map((point) => ({
    hour: point.hour,
    label: formatHourMinute(point.hour),
    ratePct: point.error_rate * 100,
    requests: point.requests,
    errors: point.errors,
    p95Ms: point.p95_ms,
    level: alertByHour.get(Date.parse(point.hour)) ?? null,
  }));
}

/** The thresholds as percentages for the chart's reference lines. */
export function toThresholdLines(thresholds: ErrorTrend['thresholds']): ThresholdLines {
  return { degradedPct: thresholds.degraded * 100, criticalPct: thresholds.critical * 100 };
}

/** False when not a single request was served in the window: the chart shows its empty state. */
export function hasTraffic(points: readonly ErrorChartPoint[]): boolean {
  return points.some((point) => point.requests > 0);
}

/** How many hours crossed each threshold (an hour counts once, at its worst level). */
export function countCrossings(points: readonly ErrorChartPoint[]): Record<AlertLevel, number> {
  const counts: Record<AlertLevel, number> = { degraded: 0, critical: 0 };
  for (const point of points) if (point.level) counts[point.level] += 1;
  return counts;
}

const TICK_STEPS = [0.25, 0.5, 1, 2, 2.5, 5, 10, 20, 25];

/**
 * Evenly spaced y-axis ticks (percent) from 0 past the highest rate, reaching at least a bit
 * above the critical line so both threshold lines stay in view.
 */
export function errorAxisTicks(points: readonly ErrorChartPoint[], lines: ThresholdLines): number[] {
  const highest = points.reduce((max, point) => Math.max(max, point.ratePct), 0);
  const top = Math.max(highest, lines.criticalPct * 1.2, 0.5);
  const step = TICK_STEPS.find((candidate) => candidate * 4 > top) ?? Math.ceil(top / 4 / 25) * 25;
  return [0, 1, 2, 3, 4].map((i) => i * step);
}

/**
 * How many hours a threshold label spans on a phone: "Degraded 2.0%" is about 93 px, an hour
 * about 10 px of a 360 px screen's plot.
 */
const LABEL_HOURS = 10;

/**
 * Where a threshold's label starts, in percent of the plot's width from the oldest hour. The
 * label sits just above its line, so the error line can only run through it where it reaches the
 * threshold: the label goes over the first stretch of at least LABEL_HOURS hours that all stay
 * below the threshold (the oldest hours when nothing reaches it), or else over the longest one.
 */
export function thresholdLabelStart(points: readonly ErrorChartPoint[], thresholdPct: number): number {
  const runs: { start: number; hours: number }[] = [];
  let start = -1;
  points.forEach((point, index) => {
    if (point.ratePct >= thresholdPct) {
      start = -1;
      return;
    }
    if (start < 0) {
      start = index;
      runs.push({ start, hours: 0 });
    }
    runs[runs.length - 1]!.hours = index - start;
  });
  if (runs.length === 0 || points.length < 2) return 0;
  const longest = runs.reduce((best, run) => (run.hours > best.hours ? run : best));
  const chosen = runs.find((run) => run.hours >= LABEL_HOURS) ?? longest;
  return (chosen.start / (points.length - 1)) * 100;
}
