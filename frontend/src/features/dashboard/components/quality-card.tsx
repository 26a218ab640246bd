import { useMemo } from 'react';
import { Signal } from 'lucide-react';
import type { SessionMetrics } from '../api/get-session-metrics';
import { hasQualityData, toQualitySlices } from '../utils/quality';
import { formatPercentValue } from '../utils/format';
import { DashboardCard, SkeletonLines } from './dashboard-card';
import { ChartSlot } from './chart-slot';
import { ChartPlaceholder, LazyQualityDonutChart } from './lazy-charts';
import { QUALITY_CHART_HEIGHT } from './chart-sizes';
import styles from './dashboard.module.css';

interface QualityCardProps {
  metrics?: SessionMetrics;
  error?: Error;
}

/** Connection quality distribution: donut plus a legend that carries the numbers. */
export function QualityCard({ metrics, error }: QualityCardProps) {
  const slices = useMemo(() => metrics && toQualitySlices(metrics.connection_quality_distribution), [metrics]);

  return (
    <DashboardCard
      title="Connection quality"
      icon={<Signal aria-hidden="true" size={18} />}
      hint={metrics ? `Share of sessions, last ${metrics.window_days} days` : undefined}
      data={slices}
      error={error}
      skeleton={
        <>
          <SkeletonLines texts={['Share of sessions, last 30 days']} />
          <div className={styles.chartBox}>
            <ChartPlaceholder height={QUALITY_CHART_HEIGHT} />
          </div>
        </>
      }
    >
      {(loaded) => (
        <div className={hasQualityData(loaded) ? styles.qualityBody : undefined}>
          <ChartSlot>
            <LazyQualityDonutChart slices={loaded} />
          </ChartSlot>
          {hasQualityData(loaded) && (
            <ul className={styles.legend} aria-label="Connection quality breakdown">
              {loaded.map((slice) => (
                <li key={slice.level}>
                  <span className={styles.swatch} style={{ background: slice.color }} aria-hidden="true" />
                  <span>{slice.label}</span>
                  <span className={styles.legendValue}>{formatPercentValue(slice.percent)}</span>
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </DashboardCard>
  );
}
