import useSWR, { type SWRConfiguration } from 'swr';
import { apiClient } from '@/lib/api-client';
import type { Schema } from '@/types/schemas';
import { metricsPolling } from './polling';
import { withPrefetch } from './prefetch';

export type IncidentList = Schema<'IncidentList'>;
export type Incident = IncidentList['incidents'][number];

const incidentsPath = '/api/admin/incidents';

/** How far back the incident timeline looks. */
export const INCIDENT_TIMELINE_DAYS = 7;
const TIMELINE_MS = INCIDENT_TIMELINE_DAYS * 86_400_000;

export const openIncidentsKey = `${incidentsPath}?status=open`;

/**
 * The timeline's SWR key. Its window ends at each request, so the URL's `since` is computed when
 * the request is made and is not part of the key (a key that changed every render would refetch
 * every render).
 */
export const incidentTimelineKey = `${incidentsPath} (last ${INCIDENT_TIMELINE_DAYS} days)`;

/** The incidents still open, whatever their age: what is wrong right now. */
export function getOpenIncidents(): Promise<IncidentList> {
  return apiClient.get<IncidentList>(openIncidentsKey);
}

/** Every incident active at some time in the last 7 days before `now` (open or resolved), newest first. */
export function getIncidentTimeline(now = Date.now()): Promise<IncidentList> {
  const since = new Date(now - TIMELINE_MS).toISOString();
  return apiClient.get<IncidentList>(`${incidentsPath}?since=${encodeURIComponent(since)}`);
}

// The first fetch of each takes the request prefetchDashboardMetrics() started, if there is one.
const fetchOpenIncidents = withPrefetch(openIncidentsKey, getOpenIncidents);
const fetchIncidentTimeline = withPrefetch(incidentTimelineKey, () => getIncidentTimeline());

/**
 * SWR hook for {@link getOpenIncidents}: polled and retried as {@link metricsPolling} says. The
 * alert evaluator itself runs every 30 s (PULSE_ALERT_EVAL_INTERVAL) and needs several bad
 * evaluations in a row to open an incident, so polling faster would only repeat the same answer.
 */
export function useOpenIncidents(config?: SWRConfiguration<IncidentList, Error>) {
  return useSWR<IncidentList, Error>(openIncidentsKey, fetchOpenIncidents, { ...metricsPolling, ...config });
}

/** SWR hook for {@link getIncidentTimeline}: polled and retried as {@link metricsPolling} says. */
export function useIncidentTimeline(config?: SWRConfiguration<IncidentList, Error>) {
  return useSWR<IncidentList, Error>(incidentTimelineKey, fetchIncidentTimeline, {
    ...metricsPolling,
    ...config,
  });
}
