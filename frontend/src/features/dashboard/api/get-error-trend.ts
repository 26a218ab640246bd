import useSWR, { type SWRConfiguration } from 'swr';
import { apiClient } from '@/lib/api-client';
import type { Schema } from '@/types/schemas';
import { metricsPolling } from './polling';
import { withPrefetch } from './prefetch';

export type ErrorTrend = Schema<'ErrorTrend'>;

export const errorTrendKey = '/api/admin/metrics/errors';

/** Hourly requests, errors and p95 for the last 24 hours, with thresholds and the alerts raised. */
export function getErrorTrend(): Promise<ErrorTrend> {
  return apiClient.get<ErrorTrend>(errorTrendKey);
}

// The first fetch takes the request prefetchDashboardMetrics() started, if there is one.
const fetchErrorTrend = withPrefetch(errorTrendKey, getErrorTrend);

/** SWR hook for {@link getErrorTrend}: polled and retried as {@link metricsPolling} says. */
export function useErrorTrend(config?: SWRConfiguration<ErrorTrend, Error>) {
  return useSWR<ErrorTrend, Error>(errorTrendKey, fetchErrorTrend, { ...metricsPolling, ...config });
}
