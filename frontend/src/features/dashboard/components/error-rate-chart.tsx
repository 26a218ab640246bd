import {
  CartesianGrid,
  Line,
  LineChart,
  ReferenceLine,
  Tooltip,
  XAxis,
  YAxis,
  type DotItemDotProps,
  type TooltipContentProps,
} from 'recharts';
import {
  countCrossings,
  errorAxisTicks,
  hasTraffic,
  thresholdLabelStart,
  type AlertLevel,
  type ErrorChartPoint,
  type ThresholdLines,
} from '../utils/error-trend';
import { formatDuration, formatHourMinute, formatInteger, formatPercent, formatPercentValue } from '../utils/format';
import { ChartEmptyState } from './chart-empty-state';
import { ERROR_RATE_CHART_HEIGHT } from './chart-sizes';
import styles from './dashboard.module.css';

export interface ErrorRateChartProps {
  points: readonly ErrorChartPoint[];
  thresholds: ThresholdLines;
  height?: number;
  /** Fixed width in px; omitted, the chart follows its container. */
  width?: number;
  /**
   * Hours skipped between labels on the time axis (default 1: every other hour). The card
   * picks it by screen width (useHourLabelStep), so the chart never measures its labels.
   */
  labelStep?: number;
}

const LINE_COLOR = '#0f4c75';
const DEGRADED_LINE = '#a16207';
const CRITICAL_LINE = '#b91c1c';
const marker: Record<AlertLevel, { fill: string; stroke: string }> = {
  degraded: { fill: '#facc15', stroke: '#854d0e' },
  critical: { fill: '#dc2626', stroke: '#7f1d1d' },
};

/**
 * A threshold's name sits 4 px above its line, over a stretch of hours the error line stays below
 * it (see thresholdLabelStart), with a white halo in case the line still passes close by.
 */
function thresholdLabel(points: readonly ErrorChartPoint[], thresholdPct: number) {
  const startPct = thresholdLabelStart(points, thresholdPct);
  return {
    position: { x: `${startPct + 1}%`, y: -4 },
    textAnchor: 'start',
    fontSize: 12,
    halo: { stroke: '#ffffff', strokeWidth: 4 },
  } as const;
}

/** Hourly error rate (%) over 24 h, with the degraded/critical thresholds and the hours that crossed them. */
export function ErrorRateChart({
  points,
  thresholds,
  height = ERROR_RATE_CHART_HEIGHT,
  width,
  labelStep = 1,
}: ErrorRateChartProps) {
  if (!hasTraffic(points)) {
    return <ChartEmptyState message="No API traffic in the last 24 hours, so there is no error rate to plot." />;
  }
  const ticks = errorAxisTicks(points, thresholds);

  return (
    <figure
      className={styles.figure}
      data-testid="error-rate-chart"
      aria-label="Hourly error rate over the last 24 hours"
    >
      <LineChart
        data={points as ErrorChartPoint[]}
        responsive={width === undefined}
        width={width}
        height={height}
        style={width === undefined ? { width: '100%', height } : undefined}
        margin={{ top: 12, right: 16, bottom: 4, left: 0 }}
        title="Hourly error rate, last 24 hours"
        desc={describeCrossings(points, thresholds)}
      >
        {/* Horizontal lines only; an empty generator spares the hidden vertical ones (and their
            label measuring). */}
        <CartesianGrid
          strokeDasharray="3 3"
          vertical={false}
          verticalCoordinatesGenerator={noLines}
          stroke="#e2e8f0"
        />
        {/* Every Nth hour counted back from the newest, so the last hour is labelled and the gaps
            are even; N by screen width, so no label is measured. */}
        <XAxis
          dataKey="label"
          ticks={hourTicks(points, labelStep)}
          interval={0}
          tick={{ fontSize: 12, fill: '#4b5563' }}
        />
        <YAxis
          domain={[0, ticks[ticks.length - 1] ?? 1]}
          ticks={ticks}
          tickFormatter={(value: number) => `${Number(value.toFixed(2))}%`}
          tick={{ fontSize: 12, fill: '#4b5563' }}
          interval={0}
          width={52}
        />
        <ReferenceLine
          y={thresholds.degradedPct}
          stroke={DEGRADED_LINE}
          strokeDasharray="6 4"
          label={{
            value: `Degraded ${formatPercentValue(thresholds.degradedPct)}`,
            ...thresholdLabel(points, thresholds.degradedPct),
            fill: DEGRADED_LINE,
          }}
        />
        <ReferenceLine
          y={thresholds.criticalPct}
          stroke={CRITICAL_LINE}
          strokeDasharray="6 4"
          label={{
            value: `Critical ${formatPercentValue(thresholds.criticalPct)}`,
            ...thresholdLabel(points, thresholds.criticalPct),
            fill: CRITICAL_LINE,
          }}
        />
        <Tooltip content={ErrorTooltip} />
        <Line
          type="linear"
          dataKey="ratePct"
          name="Error rate"
          stroke={LINE_COLOR}
          strokeWidth={2}
          dot={CrossingDot}
          activeDot={{ r: 5 }}
          isAnimationActive={false}
        />
      </LineChart>
    </figure>
  );
}

const noLines = () => [];

/** The labels of every (skip + 1)th hour, counted back from the newest. */
function hourTicks(points: readonly ErrorChartPoint[], skip: number): string[] {
  const step = skip + 1;
  return points.filter((_, i) => (points.length - 1 - i) % step === 0).map((point) => point.label);
}

/** A sentence for screen readers: the chart's story without the picture. */
function describeCrossings(points: readonly ErrorChartPoint[], thresholds: ThresholdLines): string {
  const { degraded, critical } = countCrossings(points);
  const peak = points.reduce((max, point) => Math.max(max, point.ratePct), 0);
  return (
    `Peak ${formatPercentValue(peak)}. ${critical} hours above the critical threshold of ${formatPercentValue(thresholds.criticalPct)}, ` +
    `${degraded} above the degraded threshold of ${formatPercentValue(thresholds.degradedPct)}. Use the arrow keys to read each hour.`
  );
}

/** Only hours that crossed a threshold get a dot: yellow for degraded, red for critical. */
function CrossingDot({ cx, cy, payload, index }: DotItemDotProps) {
  const point = payload as ErrorChartPoint | undefined;
  if (!point?.level || cx == null || cy == null) return <g key={`dot-${index}`} />;
  const { fill, stroke } = marker[point.level];
  return (
    <circle
      key={`dot-${index}`}
      cx={cx}
      cy={cy}
      r={point.level === 'critical' ? 6 : 5}
      fill={fill}
      stroke={stroke}
      strokeWidth={1.5}
      data-testid="threshold-crossing"
      data-level={point.level}
    >
      <title>{`${point.label}: ${point.level}, ${formatPercentValue(point.ratePct)}`}</title>
    </circle>
  );
}

function ErrorTooltip({ active, payload }: TooltipContentProps) {
  const point = payload?.[0]?.payload as ErrorChartPoint | undefined;
  if (!active || !point) return null;
  const end = new Date(Date.parse(point.hour) + 3_600_000);
  return (
    <div className={styles.tooltip}>
      <p>
        {point.label}–{formatHourMinute(end)}
        {point.level && ` · ${point.level === 'critical' ? 'Critical' : 'Degraded'}`}
      </p>
      <dl>
        <dt>Requests</dt>
        <dd>{formatInteger(point.requests)}</dd>
        <dt>Errors</dt>
        <dd>{formatInteger(point.errors)}</dd>
        <dt>Error rate</dt>
        <dd>{formatPercent(point.ratePct / 100)}</dd>
        <dt>p95</dt>
        <dd>{formatDuration(point.p95Ms)}</dd>
      </dl>
    </div>
  );
}
