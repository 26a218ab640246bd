import { currentMetricsKey, getCurrentMetrics } from './get-current-metrics';
import { errorTrendKey, getErrorTrend } from './get-error-trend';
import { externalServicesKey, getExternalServices } from './get-external-services';
import { getSessionMetrics, sessionMetricsKey } from './get-session-metrics';
import { getIncidentTimeline, getOpenIncidents, incidentTimelineKey, openIncidentsKey } from './get-incidents';
import { prefetch } from './prefetch';

/** Asks for every endpoint the dashboard shows, ahead of the page that shows them. */
export function prefetchDashboardMetrics(): void {
  prefetch(currentMetricsKey, getCurrentMetrics);
  prefetch(sessionMetricsKey, getSessionMetrics);
  prefetch(errorTrendKey, getErrorTrend);
  prefetch(externalServicesKey, getExternalServices);
  prefetch(openIncidentsKey, getOpenIncidents);
  prefetch(incidentTimelineKey, () => getIncidentTimeline());
}
