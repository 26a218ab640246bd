import { isApiError } from '@/lib/api-client';
import { NotAuthorized } from '@/components/not-authorized';
import { currentMetricsKey, useCurrentMetrics } from '../api/get-current-metrics';
import { sessionMetricsKey, useSessionMetrics } from '../api/get-session-metrics';
import { errorTrendKey, useErrorTrend } from '../api/get-error-trend';
import { externalServicesKey, useExternalServices } from '../api/get-external-services';
import { incidentTimelineKey, openIncidentsKey, useIncidentTimeline, useOpenIncidents } from '../api/get-incidents';
import { useDashboardFreshness } from '../hooks/use-dashboard-freshness';
import { HealthHeader } from './health-header';
import { StaleBanner } from './stale-banner';
import { StatCards } from './stat-cards';
import { ErrorRateCard } from './error-rate-card';
import { QualityCard } from './quality-card';
import { SessionsByCategoryCard } from './sessions-by-category-card';
import { DbPoolCard } from './db-pool-card';
import { ExternalServicesCard } from './external-services-card';
import { OpenIncidentsCard } from './open-incidents-card';
import { IncidentTimelineCard } from './incident-timeline-card';
import styles from './dashboard.module.css';

/** /admin/dashboard: every metrics endpoint, polled, laid out as cards and charts. */
export function DashboardPage() {
  const { track, assess } = useDashboardFreshness();
  const current = useCurrentMetrics(track);
  const sessions = useSessionMetrics(track);
  const errors = useErrorTrend(track);
  const services = useExternalServices(track);
  const openIncidents = useOpenIncidents(track);
  const timeline = useIncidentTimeline(track);

  // The API, not the role list in this app, has the last word on access.
  const queries = [current, sessions, errors, services, openIncidents, timeline];
  if (queries.some((q) => isApiError(q.error, 403))) return <NotAuthorized />;

  const freshness = assess({
    [currentMetricsKey]: current,
    [sessionMetricsKey]: sessions,
    [errorTrendKey]: errors,
    [externalServicesKey]: services,
    [openIncidentsKey]: openIncidents,
    [incidentTimelineKey]: timeline,
  });
  // The page renders at least every 5 s (each answer of /current), so "… ago" and the open
  // incidents' bars keep up with the clock.
  const now = Date.now();

  return (
    <div className={styles.dashboard}>
      <HealthHeader
        metrics={current.data}
        stale={freshness.stale.has(currentMetricsKey)}
        updatedAt={freshness.lastUpdate}
        refreshing={freshness.refreshing}
      />
      {freshness.outage && <StaleBanner {...freshness.outage} />}
      <OpenIncidentsCard incidents={openIncidents.data} error={openIncidents.error} now={now} />
      <section aria-labelledby="overview-title">
        <h2 id="overview-title" className="sr-only">
          Overview
        </h2>
        <StatCards metrics={current.data} error={current.error} />
      </section>
      <div className={styles.panels}>
        <ErrorRateCard trend={errors.data} error={errors.error} />
        <IncidentTimelineCard incidents={timeline.data} error={timeline.error} now={now} />
        <QualityCard metrics={sessions.data} error={sessions.error} />
        <SessionsByCategoryCard metrics={sessions.data} error={sessions.error} />
        <DbPoolCard metrics={current.data} error={current.error} />
        <ExternalServicesCard services={services.data} error={services.error} />
      </div>
    </div>
  );
}
