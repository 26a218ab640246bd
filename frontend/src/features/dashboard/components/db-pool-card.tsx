import { Database } from 'lucide-react';
import type { CurrentMetrics } from '../api/get-current-metrics';
import { poolUtilization } from '../utils/pool';
import { formatDuration, formatInteger } from '../utils/format';
import { DashboardCard } from './dashboard-card';
import styles from './dashboard.module.css';

interface DbPoolCardProps {
  metrics?: CurrentMetrics;
  error?: Error;
}

const fillClass = {
  normal: styles.fill,
  high: `${styles.fill} ${styles.fillHigh}`,
  saturated: `${styles.fill} ${styles.fillSaturated}`,
};

/** Database connection pool: connections in use and idle, the limit, and how long callers waited. */
export function DbPoolCard({ metrics, error }: DbPoolCardProps) {
  return (
    <DashboardCard
      title="Database connection pool"
      icon={<Database aria-hidden="true" size={18} />}
      data={metrics}
      error={error}
      skeletonLines={3}
    >
      {(loaded) => <DbPoolBody metrics={loaded} />}
    </DashboardCard>
  );
}

function DbPoolBody({ metrics }: { metrics: CurrentMetrics }) {
  const { db_pool_active: active, db_pool_idle: idle, db_pool_size: max } = metrics;
  const { ratio, load } = poolUtilization(active, max);
  const unlimited = ratio === null;
  const percent = ratio === null ? null : Math.round(ratio * 100);

  return (
    <>
      <dl className={styles.facts}>
        <div>
          <dt>Active</dt>
          <dd>{formatInteger(active)}</dd>
        </div>
        <div>
          <dt>Idle</dt>
          <dd>{formatInteger(idle)}</dd>
        </div>
        <div>
          <dt>Max open</dt>
          <dd>{unlimited ? 'unlimited' : formatInteger(max)}</dd>
        </div>
        <div>
          <dt>Waits, last minute</dt>
          <dd>{formatInteger(metrics.db_pool_waits_last_minute)}</dd>
        </div>
        <div>
          <dt>Waits in total</dt>
          <dd>{formatInteger(metrics.db_pool_wait_count)}</dd>
        </div>
        <div>
          <dt>Total wait time</dt>
          <dd>{formatDuration(metrics.db_pool_wait_duration_ms)}</dd>
        </div>
      </dl>
      {percent === null ? (
        <p className="card__hint">Utilization: no connection limit (unlimited), {formatInteger(active)} in use.</p>
      ) : (
        <>
          <p className="card__hint" id="db-pool-utilization">
            Utilization: {percent}% ({formatInteger(active)} of {formatInteger(max)} in use)
            {load === 'saturated'
              ? ' — pool exhausted, requests wait for a connection'
              : load === 'high'
                ? ' — running high'
                : ''}
          </p>
          <div
            className={styles.track}
            role="meter"
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={percent}
            aria-labelledby="db-pool-utilization"
          >
            <div className={fillClass[load]} style={{ width: `${percent}%` }} />
          </div>
        </>
      )}
      <p className="card__hint" style={{ marginTop: '0.5rem' }}>
        Totals are counted since the server started.
      </p>
    </>
  );
}
