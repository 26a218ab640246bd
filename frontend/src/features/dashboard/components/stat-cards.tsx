import type { ReactNode } from 'react';
import { Activity, Gauge, Timer, TriangleAlert } from 'lucide-react';
import type { CurrentMetrics } from '../api/get-current-metrics';
import { LIVE_REFRESH_INTERVAL_MS } from '../api/polling';
import { formatInteger, formatPercent, formatSeconds } from '../utils/format';
import { QUALITY_DISPLAY } from '../utils/quality';
import { DashboardCard, SkeletonLines, SkeletonWords } from './dashboard-card';
import styles from './dashboard.module.css';

// The backend sends null for a figure it could not read (database down) rather than a false 0.
const UNAVAILABLE = '—';
const unavailableHint = 'Not available right now, see the health reasons above';

interface StatCardsProps {
  metrics?: CurrentMetrics;
  error?: Error;
}

/**
 * The four headline numbers from /current. Titles are short enough to take at most two lines
 * in a phone's two-column grid; the hints say the rest.
 */
export function StatCards({ metrics, error }: StatCardsProps) {
  const query = { data: metrics, error };

  return (
    <div className={styles.stats}>
      <DashboardCard
        title="Active sessions"
        icon={<Activity aria-hidden="true" size={18} />}
        {...query}
        skeleton={
          <StatSkeleton
            hints={[`Live, refreshed every ${formatSeconds(LIVE_REFRESH_INTERVAL_MS)}`, '0 abandoned in the last 24 h']}
          />
        }
      >
        {(m) => (
          <>
            <ActiveSessions value={m.active_sessions_count} stale={Boolean(error)} />
            <AbandonedSessions value={m.abandoned_sessions_last_24h} />
          </>
        )}
      </DashboardCard>
      <DashboardCard
        title="Average quality"
        icon={<Gauge aria-hidden="true" size={18} />}
        {...query}
        skeleton={<StatSkeleton value="Good" hints={['Score 3.00 of 4, last hour']} />}
      >
        {(m) => <AverageQuality metrics={m} />}
      </DashboardCard>
      <DashboardCard
        title="Error rate (last hour)"
        icon={<TriangleAlert aria-hidden="true" size={18} />}
        {...query}
        skeleton={<StatSkeleton value="0.0%" hints={['of 1,000 requests']} />}
      >
        {(m) => (
          <Stat
            value={m.error_rate_last_hour === null ? null : formatPercent(m.error_rate_last_hour)}
            hint={
              m.requests_last_hour === null
                ? undefined
                : `of ${formatInteger(m.requests_last_hour)} ${m.requests_last_hour === 1 ? 'request' : 'requests'}`
            }
          />
        )}
      </DashboardCard>
      <DashboardCard
        title="Response time p95"
        icon={<Timer aria-hidden="true" size={18} />}
        {...query}
        skeleton={<StatSkeleton value="000" hints={['95th percentile, last hour']} />}
      >
        {(m) => (
          <Stat
            value={m.api_response_time_p95 === null ? null : formatInteger(m.api_response_time_p95)}
            unit="ms"
            hint="API requests, last hour"
          />
        )}
      </DashboardCard>
    </div>
  );
}

/** A stat's value and hints as placeholders of typical texts, before the first answer. */
function StatSkeleton({ value = '000', hints }: { value?: string; hints: readonly string[] }) {
  return (
    <>
      <p className={styles.statValue}>
        <SkeletonWords text={value} />
      </p>
      <SkeletonLines texts={hints} />
    </>
  );
}

interface StatProps {
  value: ReactNode | null;
  unit?: string;
  hint?: ReactNode;
  testId?: string;
}

function Stat({ value, unit, hint, testId }: StatProps) {
  return (
    <>
      <p className={styles.statValue} data-testid={testId}>
        {value ?? UNAVAILABLE}
        {value !== null && unit && <span className={styles.statUnit}>{unit}</span>}
      </p>
      <p className="card__hint">{value === null ? unavailableHint : hint}</p>
    </>
  );
}

function ActiveSessions({ value, stale }: { value: number | null; stale: boolean }) {
  return (
    <Stat
      testId="active-sessions-value"
      value={value === null ? null : formatInteger(value)}
      hint={
        stale ? (
          'Last known value, retrying'
        ) : (
          <span className={styles.live}>
            <span className={styles.liveDot} aria-hidden="true" data-testid="live-dot" />
            Live, refreshed every {formatSeconds(LIVE_REFRESH_INTERVAL_MS)}
          </span>
        )
      }
    />
  );
}

/**
 * Sessions ended by the stale sweep (no end call for hours) in the last day: a rising number
 * means an integration is losing its end calls.
 */
function AbandonedSessions({ value }: { value: number | null }) {
  if (value === null) return null;
  return (
    <p className="card__hint" data-testid="abandoned-sessions">
      {formatInteger(value)} abandoned in the last 24 h
    </p>
  );
}

function AverageQuality({ metrics }: { metrics: CurrentMetrics }) {
  const quality = QUALITY_DISPLAY[metrics.avg_connection_quality] ?? QUALITY_DISPLAY.unknown;
  const score = metrics.avg_connection_score;
  return (
    <Stat
      value={
        <>
          <span className={styles.qualityDot} style={{ background: quality.color }} aria-hidden="true" />
          {quality.label}
        </>
      }
      hint={
        metrics.avg_connection_quality === 'unknown' || score === null
          ? 'No quality reports from the last hour'
          : `Connection score ${score.toFixed(2)} of 4, last hour`
      }
    />
  );
}
