import { CircleCheck, CircleHelp, RefreshCw } from 'lucide-react';
import type { CurrentMetrics } from '../api/get-current-metrics';
import { formatClock } from '../utils/format';
import styles from './dashboard.module.css';
import { severityDisplay } from './incident-severity';
import { StatusBadge, type BadgeDisplay } from './status-badge';

type Health = CurrentMetrics['system_health'];

// Degraded and critical look as an incident of that severity does.
const healthDisplay: Record<Health, BadgeDisplay> = {
  healthy: { label: 'Healthy', tone: 'badge--healthy', Icon: CircleCheck },
  ...severityDisplay,
};

/** Green / yellow / red, always with an icon and a word so colour is never the only signal. */
export function HealthBadge({ health }: { health: Health }) {
  return (
    <StatusBadge display={healthDisplay[health] ?? healthDisplay.critical} size={18} className={styles.healthBadge} />
  );
}

interface HealthHeaderProps {
  metrics?: CurrentMetrics;
  /** The last refresh of /current failed: the verdict shown is no longer current. */
  stale?: boolean;
  /** When any endpoint last answered (epoch ms). */
  updatedAt?: number;
  refreshing: boolean;
}

/** Page title, overall health with its reasons, and how fresh the numbers are. */
export function HealthHeader({ metrics, stale = false, updatedAt, refreshing }: HealthHeaderProps) {
  const reasons = metrics?.health_reasons ?? [];
  return (
    <section className={styles.healthHeader} aria-labelledby="dashboard-title">
      <div className={styles.healthTop}>
        <div className={styles.healthTitle}>
          <h1 id="dashboard-title">System health</h1>
          {metrics && stale ? (
            // A green badge on a dashboard that cannot reach its API would be a lie.
            <span className={`badge badge--neutral ${styles.healthBadge}`}>
              <CircleHelp aria-hidden="true" size={18} />
              Unknown
            </span>
          ) : metrics ? (
            <HealthBadge health={metrics.system_health} />
          ) : (
            // The badge's own box, blank: the title row keeps its height when the verdict arrives.
            <span className={`badge ${styles.healthBadge} skeleton skeleton--box`} aria-hidden="true">
              <CircleHelp size={18} />
              Degraded
            </span>
          )}
        </div>
        <p className={styles.updated}>
          <span>{updatedAt ? `updated ${formatClock(updatedAt)}` : 'loading…'}</span>
          {metrics && (
            // The server reads the figures once for every dashboard (every 2 s at most): say when.
            <time dateTime={metrics.generated_at} title="When the server read these figures">
              figures as of {formatClock(metrics.generated_at)}
            </time>
          )}
          <RefreshCw
            aria-hidden="true"
            size={16}
            className={refreshing ? `${styles.spinner} ${styles.spinning}` : styles.spinner}
          />
          {refreshing && <span className="sr-only">Refreshing.</span>}
        </p>
      </div>
      {metrics && stale && (
        <p className={styles.reasonsOk}>
          Pulse cannot be reached; last known state: {healthDisplay[metrics.system_health]?.label ?? 'Critical'}.
        </p>
      )}
      {!metrics && (
        // One line held for the reasons (or "All checks within normal limits.").
        <p className={styles.reasonsOk} aria-hidden="true">
          <span className="skeleton skeleton--words" data-text="All checks within normal limits." />
        </p>
      )}
      {metrics &&
        !stale &&
        (reasons.length > 0 ? (
          <ul className={styles.reasons} aria-label="Health reasons">
            {reasons.map((reason, index) => (
              <li key={`${index}-${reason}`}>{reason}</li>
            ))}
          </ul>
        ) : (
          <p className={styles.reasonsOk}>All checks within normal limits.</p>
        ))}
    </section>
  );
}
