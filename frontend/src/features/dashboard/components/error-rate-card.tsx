import { useMemo } from 'react';
import { ChartLine } from 'lucide-react';
import type { ErrorTrend } from '../api/get-error-trend';
import {
  countCrossings,
  hasTraffic,
  toErrorChartPoints,
  toThresholdLines,
  type ErrorChartPoint,
  type ThresholdLines,
} from '../utils/error-trend';
import { formatPercentValue } from '../utils/format';
import { DashboardCard, SkeletonLines } from './dashboard-card';
import { ChartSlot } from './chart-slot';
import { ChartPlaceholder, LazyErrorRateChart } from './lazy-charts';
import { ERROR_RATE_CHART_HEIGHT } from './chart-sizes';
import { useHourLabelStep } from '../hooks/use-hour-label-step';
import styles from './dashboard.module.css';

interface ErrorRateCardProps {
  trend?: ErrorTrend;
  error?: Error;
}

const hours = (n: number) => `${n} ${n === 1 ? 'hour' : 'hours'}`;

/** Error rate per hour for the last 24 hours, with threshold crossings spelled out under the chart. */
export function ErrorRateCard({ trend, error }: ErrorRateCardProps) {
  const labelStep = useHourLabelStep();
  const chart = useMemo(
    () => trend && { points: toErrorChartPoints(trend), lines: toThresholdLines(trend.thresholds) },
    [trend],
  );

  return (
    <DashboardCard
      title="Error rate, last 24 hours"
      icon={<ChartLine aria-hidden="true" size={18} />}
      hint="Share of API requests that failed, per hour"
      data={chart}
      error={error}
      skeleton={
        <>
          <div className={styles.chartBox}>
            <ChartPlaceholder height={ERROR_RATE_CHART_HEIGHT} />
          </div>
          <SkeletonLines texts={['No hour crossed the degraded threshold (2.0%).']} className={styles.summary} />
        </>
      }
      wide
    >
      {({ points, lines }) => (
        <>
          <ChartSlot>
            <LazyErrorRateChart points={points} thresholds={lines} labelStep={labelStep} />
          </ChartSlot>
          {hasTraffic(points) && <p className={styles.summary}>{crossingSummary(points, lines)}</p>}
        </>
      )}
    </DashboardCard>
  );
}

/** The hours that crossed a threshold, in words, so the chart's dots are not the only signal. */
function crossingSummary(points: readonly ErrorChartPoint[], lines: ThresholdLines): string {
  const crossings = countCrossings(points);
  if (crossings.degraded + crossings.critical === 0) {
    return `No hour crossed the degraded threshold (${formatPercentValue(lines.degradedPct)}).`;
  }
  return (
    `${hours(crossings.critical)} above the critical threshold (${formatPercentValue(lines.criticalPct)}), ` +
    `${hours(crossings.degraded)} above degraded (${formatPercentValue(lines.degradedPct)}).`
  );
}
