import { useMemo } from 'react';
import { ChartLine } from 'lucide-react';
import type { ErrorTrend } from '../api/get-error-trend';
import { countCrossings, hasTraffic, toErrorChartPoints, toThresholdLines } from '../utils/error-trend';
import { formatPercentValue } from '../utils/format';
import { CardError, CardSkeleton, DashboardCard } from './dashboard-card';
import { ChartSlot } from './chart-slot';
import { LazyErrorRateChart } from './lazy-charts';
import styles from './dashboard.module.css';

interface ErrorRateCardProps {
  trend?: ErrorTrend;
  error?: Error;
}

const hours = (n: number) => `${n} ${n === 1 ? 'hour' : 'hours'}`;

/** Error rate per hour for the last 24 hours, with threshold crossings spelled out under the chart. */
export function ErrorRateCard({ trend, error }: ErrorRateCardProps) {
  const points = useMemo(() => (trend ? toErrorChartPoints(trend) : []), [trend]);
  const lines = useMemo(() => (trend ? toThresholdLines(trend.thresholds) : null), [trend]);
  const crossings = countCrossings(points);

  return (
    <DashboardCard
      title="Error rate, last 24 hours"
      icon={<ChartLine aria-hidden="true" size={18} />}
      hint="Share of API requests that failed, per hour"
      busy={!trend && !error}
      wide
    >
      {!trend || !lines ? (
        error ? (
          <CardError />
        ) : (
          <CardSkeleton lines={5} />
        )
      ) : (
        <>
          <ChartSlot>
            <LazyErrorRateChart points={points} thresholds={lines} />
          </ChartSlot>
          {hasTraffic(points) && (
            <p className={styles.summary}>
              {crossings.degraded + crossings.critical === 0
                ? `No hour crossed the degraded threshold (${formatPercentValue(lines.degradedPct)}).`
                : `${hours(crossings.critical)} above the critical threshold (${formatPercentValue(lines.criticalPct)}), ` +
                  `${hours(crossings.degraded)} above degraded (${formatPercentValue(lines.degradedPct)}).`}
            </p>
          )}
        </>
      )}
    </DashboardCard>
  );
}
