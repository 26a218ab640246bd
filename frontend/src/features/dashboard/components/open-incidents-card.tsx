import { CircleCheck, Siren } from 'lucide-react';
import type { Incident, IncidentList } from '../api/get-incidents';
import { formatDayHourMinute, formatElapsed } from '../utils/format';
import { sortOpenIncidents } from '../utils/incidents';
import { DashboardCard, SkeletonLines } from './dashboard-card';
import { SeverityBadge, SilencedBadge } from './incident-severity';
import styles from './dashboard.module.css';

interface OpenIncidentsCardProps {
  incidents?: IncidentList;
  error?: Error;
  /** The time "… ago" counts to (epoch ms). */
  now: number;
}

/** What the alert rules say is wrong right now: each open incident with its severity, rule and age. */
export function OpenIncidentsCard({ incidents, error, now }: OpenIncidentsCardProps) {
  return (
    <DashboardCard
      title="Open incidents"
      icon={<Siren aria-hidden="true" size={18} />}
      data={incidents && sortOpenIncidents(incidents.incidents)}
      error={error}
      skeleton={<SkeletonLines lines={1} />}
    >
      {(open) =>
        open.length === 0 ? (
          <p className={styles.allClear}>
            <CircleCheck aria-hidden="true" size={18} />
            No open incidents
          </p>
        ) : (
          <ul className={styles.incidents} aria-label="Open incidents">
            {open.map((incident) => (
              <OpenIncident key={incident.id} incident={incident} now={now} />
            ))}
          </ul>
        )
      }
    </DashboardCard>
  );
}

function OpenIncident({ incident, now }: { incident: Incident; now: number }) {
  const headingId = `incident-${incident.id}`;
  const openedAt = Date.parse(incident.opened_at);
  const reasons = incident.reasons.length > 0 ? incident.reasons : [incident.summary];
  return (
    <li
      className={`${styles.incident} ${incident.severity === 'critical' ? styles.incidentCritical : styles.incidentDegraded}`}
      aria-labelledby={headingId}
    >
      <div className={styles.incidentHead}>
        <SeverityBadge severity={incident.severity} />
        <h3 id={headingId}>{incident.rule_name}</h3>
        <code className={styles.ruleId}>{incident.rule}</code>
        {incident.silenced && <SilencedBadge />}
      </div>
      <ul className={styles.incidentReasons}>
        {reasons.map((reason, index) => (
          <li key={`${index}-${reason}`}>{reason}</li>
        ))}
      </ul>
      <p className={styles.incidentSince}>
        Open since <time dateTime={incident.opened_at}>{formatDayHourMinute(openedAt)}</time>
        {' · '}
        {formatElapsed(now - openedAt)} ago
      </p>
    </li>
  );
}
