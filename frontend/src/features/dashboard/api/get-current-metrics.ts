import useSWR, { type SWRConfiguration } from 'swr';
import { apiClient } from '@/lib/api-client';
import type { Schema } from '@/types/schemas';
import { liveMetricsPolling } from './polling';

export type CurrentMetrics = Schema<'CurrentMetrics'>;

export const currentMetricsKey = '/api/admin/metrics/current';

/** Live counters, health and DB pool state. */
export function getCurrentMetrics(): Promise<CurrentMetrics> {
  return apiClient.get<CurrentMetrics>(currentMetricsKey);
}

/** SWR hook for {@link getCurrentMetrics}: polled and retried as {@link liveMetricsPolling} says. */
export function useCurrentMetrics(config?: SWRConfiguration<CurrentMetrics, Error>) {
  return useSWR<CurrentMetrics, Error>(currentMetricsKey, getCurrentMetrics, { ...liveMetricsPolling, ...config });
}
