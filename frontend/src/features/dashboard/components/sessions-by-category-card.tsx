import { useMemo } from 'react';
import { Users } from 'lucide-react';
import type { SessionMetrics } from '../api/get-session-metrics';
import { toCategoryBars } from '../utils/categories';
import { formatInteger } from '../utils/format';
import { DashboardCard, SkeletonWords } from './dashboard-card';
import styles from './dashboard.module.css';

interface SessionsByCategoryCardProps {
  metrics?: SessionMetrics;
  error?: Error;
}

/** Session counts per counselor category (aggregates only, no PII). */
export function SessionsByCategoryCard({ metrics, error }: SessionsByCategoryCardProps) {
  const categories = useMemo(
    () => metrics && { total: metrics.total_sessions, bars: toCategoryBars(metrics.sessions_by_category) },
    [metrics],
  );

  return (
    <DashboardCard
      title={metrics ? `Sessions by category (last ${metrics.window_days} days)` : 'Sessions by category'}
      icon={<Users aria-hidden="true" size={18} />}
      data={categories}
      error={error}
      skeleton={
        <>
          <p className={styles.total}>
            <strong>
              <SkeletonWords text="0,000" />
            </strong>{' '}
            <SkeletonWords text="sessions in total" />
          </p>
          <ul className={styles.bars}>
            {Array.from({ length: 5 }, (_, i) => (
              <li key={i}>
                <div className={styles.barRow}>
                  <SkeletonWords text="Counselor category" />
                </div>
                <div className={styles.track} />
              </li>
            ))}
          </ul>
        </>
      }
    >
      {({ total, bars }) => (
        <>
          <p className={styles.total}>
            <strong>{formatInteger(total)}</strong> sessions in total
          </p>
          {bars.length === 0 ? (
            <p className="card__hint">No sessions in this period.</p>
          ) : (
            <ul className={styles.bars}>
              {bars.map((bar) => (
                <li key={bar.name}>
                  <div className={styles.barRow}>
                    <span>{bar.name}</span>
                    <span>{formatInteger(bar.count)}</span>
                  </div>
                  <div className={styles.track} aria-hidden="true">
                    <div className={styles.fill} style={{ width: `${bar.relative * 100}%` }} />
                  </div>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </DashboardCard>
  );
}
