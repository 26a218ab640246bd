import useSWR, { type SWRConfiguration } from 'swr';
import { apiClient } from '@/lib/api-client';
import type { Schema } from '@/types/schemas';
import { metricsPolling } from './polling';

export type SessionMetrics = Schema<'SessionMetrics'>;

export const sessionMetricsKey = '/api/admin/metrics/sessions';

/** Sessions per category and connection quality over the last window_days days (no PII). */
export function getSessionMetrics(): Promise<SessionMetrics> {
  return apiClient.get<SessionMetrics>(sessionMetricsKey);
}

/** SWR hook for {@link getSessionMetrics}: polled and retried as {@link metricsPolling} says. */
export function useSessionMetrics(config?: SWRConfiguration<SessionMetrics, Error>) {
  return useSWR<SessionMetrics, Error>(sessionMetricsKey, getSessionMetrics, { ...metricsPolling, ...config });
}
