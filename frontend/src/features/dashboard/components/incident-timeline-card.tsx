import { ChartGantt } from 'lucide-react';
import { INCIDENT_TIMELINE_DAYS, type IncidentList } from '../api/get-incidents';
import {
  dayTicks,
  formatIncidentDuration,
  formatIncidentSpan,
  timelineWindow,
  toTimelineRows,
  type TimelineRow,
} from '../utils/incidents';
import { DashboardCard, SkeletonLines } from './dashboard-card';
import { IncidentTimelineChart } from './incident-timeline-chart';
import { SeverityBadge, SilencedBadge } from './incident-severity';
import styles from './dashboard.module.css';

export const NO_INCIDENTS_MESSAGE = `No incidents in the last ${INCIDENT_TIMELINE_DAYS} days`;

interface IncidentTimelineCardProps {
  incidents?: IncidentList;
  error?: Error;
  /** The end of the window (epoch ms): open incidents run to it. */
  now: number;
}

/** Every incident of the last 7 days as a bar per rule, with a legend and the same data as a table. */
export function IncidentTimelineCard({ incidents, error, now }: IncidentTimelineCardProps) {
  // `now` moves on every render, so there is nothing to memoise.
  const span = timelineWindow(now, INCIDENT_TIMELINE_DAYS);
  const timeline = incidents && { rows: toTimelineRows(incidents.incidents, span), ticks: dayTicks(span) };

  return (
    <DashboardCard
      title={`Incidents, last ${INCIDENT_TIMELINE_DAYS} days`}
      icon={<ChartGantt aria-hidden="true" size={18} />}
      hint="One row per alert rule; each bar from the incident's opening to its resolve, in its worst severity"
      data={timeline}
      error={error}
      skeleton={<SkeletonLines lines={4} />}
      wide
    >
      {({ rows, ticks }) => (
        <>
          <IncidentTimelineChart rows={rows} ticks={ticks} emptyMessage={NO_INCIDENTS_MESSAGE} />
          {rows.length > 0 && (
            <>
              <TimelineLegend />
              <IncidentTable rows={rows} />
            </>
          )}
        </>
      )}
    </DashboardCard>
  );
}

function TimelineLegend() {
  return (
    <ul className={styles.timelineLegend} aria-label="Timeline legend">
      <li>
        <span className={`${styles.legendBar} ${styles.barCritical}`} aria-hidden="true" />
        Critical
      </li>
      <li>
        <span className={`${styles.legendBar} ${styles.barDegraded}`} aria-hidden="true" />
        Degraded
      </li>
      <li>
        <span className={`${styles.legendBar} ${styles.barCritical} ${styles.barSilenced}`} aria-hidden="true" />
        Silenced (nobody notified)
      </li>
    </ul>
  );
}

/** The chart's data as a table, for reading the exact times and for assistive technology. */
function IncidentTable({ rows }: { rows: readonly TimelineRow[] }) {
  const entries = rows
    .flatMap((row) => row.bars.map((bar) => ({ ruleName: row.ruleName, bar })))
    .sort((a, b) => b.bar.openedAt - a.bar.openedAt);
  return (
    <details className={styles.timelineDetails}>
      <summary>
        Show as a table ({entries.length} {entries.length === 1 ? 'incident' : 'incidents'})
      </summary>
      <div className={styles.tableScroll}>
        <table className={styles.incidentTable}>
          <caption className="sr-only">Incidents of the last {INCIDENT_TIMELINE_DAYS} days, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Rule</th>
              <th scope="col">Severity</th>
              <th scope="col">When</th>
              <th scope="col">Duration</th>
            </tr>
          </thead>
          <tbody>
            {entries.map(({ ruleName, bar }) => (
              <tr key={bar.id}>
                <th scope="row">{ruleName}</th>
                <td>
                  <span className={styles.tableBadges}>
                    <SeverityBadge severity={bar.severity} />
                    {bar.silenced && <SilencedBadge />}
                  </span>
                </td>
                <td>{formatIncidentSpan(bar.openedAt, bar.resolvedAt)}</td>
                <td>{formatIncidentDuration(bar.openedAt, bar.resolvedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}
