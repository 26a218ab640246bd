import useSWR, { type SWRConfiguration } from 'swr';
import { apiClient } from '@/lib/api-client';
import type { Schema } from '@/types/schemas';
import { metricsPolling } from './polling';
import { withPrefetch } from './prefetch';

export type SessionMetrics = Schema<'SessionMetrics'>;

export const sessionMetricsKey = '/api/admin/metrics/sessions';

/** Sessions per category and connection quality over the last window_days days (no PII). */
export function getSessionMetrics(): Promise<SessionMetrics> {
  return apiClient.get<SessionMetrics>(sessionMetricsKey);
}

// The first fetch takes the request prefetchDashboardMetrics() started, if there is one.
const fetchSessionMetrics = withPrefetch(sessionMetricsKey, getSessionMetrics);

/** SWR hook for {@link getSessionMetrics}: polled and retried as {@link metricsPolling} says. */
export function useSessionMetrics(config?: SWRConfiguration<SessionMetrics, Error>) {
  return useSWR<SessionMetrics, Error>(sessionMetricsKey, fetchSessionMetrics, { ...metricsPolling, ...config });
}
