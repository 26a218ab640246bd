import useSWR, { type SWRConfiguration } from 'swr';
import { apiClient } from '@/lib/api-client';
import type { Schema } from '@/types/schemas';
import { liveMetricsPolling } from './polling';
import { withPrefetch } from './prefetch';

export type CurrentMetrics = Schema<'CurrentMetrics'>;

export const currentMetricsKey = '/api/admin/metrics/current';

/** Live counters, health and DB pool state. */
export function getCurrentMetrics(): Promise<CurrentMetrics> {
  return apiClient.get<CurrentMetrics>(currentMetricsKey);
}

// The first fetch takes the request prefetchDashboardMetrics() started, if there is one.
const fetchCurrentMetrics = withPrefetch(currentMetricsKey, getCurrentMetrics);

/** SWR hook for {@link getCurrentMetrics}: polled and retried as {@link liveMetricsPolling} says. */
export function useCurrentMetrics(config?: SWRConfiguration<CurrentMetrics, Error>) {
  return useSWR<CurrentMetrics, Error>(currentMetricsKey, fetchCurrentMetrics, { ...liveMetricsPolling, ...config });
}
