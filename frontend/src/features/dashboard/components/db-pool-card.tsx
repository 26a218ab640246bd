import { useId } from 'react';
import { Database, TriangleAlert } from 'lucide-react';
import type { CurrentMetrics } from '../api/get-current-metrics';
import { poolHealthReasons, poolUtilization } from '../utils/pool';
import { formatDuration, formatInteger } from '../utils/format';
import { DashboardCard, SkeletonLines } from './dashboard-card';
import styles from './dashboard.module.css';

interface DbPoolCardProps {
  metrics?: CurrentMetrics;
  error?: Error;
}

/**
 * Database connection pool: connections in use and idle, the limit, and how long callers waited.
 * Whether the pool is in trouble is the server's call (its health reasons), not a threshold here.
 */
export function DbPoolCard({ metrics, error }: DbPoolCardProps) {
  return (
    <DashboardCard
      title="Database connection pool"
      icon={<Database aria-hidden="true" size={18} />}
      data={metrics}
      error={error}
      skeleton={<SkeletonLines lines={6} />}
    >
      {(loaded) => <DbPoolBody metrics={loaded} />}
    </DashboardCard>
  );
}

function DbPoolBody({ metrics }: { metrics: CurrentMetrics }) {
  const { db_pool_active: active, db_pool_idle: idle, db_pool_size: max } = metrics;
  const ratio = poolUtilization(active, max);
  const unlimited = ratio === null;
  const percent = ratio === null ? null : Math.round(ratio * 100);
  const troubles = poolHealthReasons(metrics.health_reasons);
  const utilizationId = useId();
  const troublesId = useId();

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
          <p className="card__hint" id={utilizationId}>
            Utilization: {percent}% ({formatInteger(active)} of {formatInteger(max)} in use)
          </p>
          <div
            className={styles.track}
            role="meter"
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={percent}
            aria-labelledby={utilizationId}
            aria-describedby={troubles.length > 0 ? troublesId : undefined}
          >
            <div
              className={troubles.length > 0 ? `${styles.fill} ${styles.fillDegraded}` : styles.fill}
              style={{ width: `${percent}%` }}
            />
          </div>
        </>
      )}
      {troubles.length > 0 && (
        <ul className={styles.poolTroubles} id={troublesId} aria-label="Pool health">
          {troubles.map((reason) => (
            <li key={reason}>
              <TriangleAlert aria-hidden="true" size={16} />
              {reason}
            </li>
          ))}
        </ul>
      )}
      <p className="card__hint" style={{ marginTop: '0.5rem' }}>
        Totals are counted since the server started.
      </p>
    </>
  );
}
