import useSWR, { type SWRConfiguration } from 'swr';
import { apiClient } from '@/lib/api-client';
import type { Schema } from '@/types/schemas';
import { metricsPolling } from './polling';

export type ErrorTrend = Schema<'ErrorTrend'>;

export const errorTrendKey = '/api/admin/metrics/errors';

/** Hourly requests, errors and p95 for the last 24 hours, with thresholds and the alerts raised. */
export function getErrorTrend(): Promise<ErrorTrend> {
  return apiClient.get<ErrorTrend>(errorTrendKey);
}

/** SWR hook for {@link getErrorTrend}: polled and retried as {@link metricsPolling} says. */
export function useErrorTrend(config?: SWRConfiguration<ErrorTrend, Error>) {
  return useSWR<ErrorTrend, Error>(errorTrendKey, getErrorTrend, { ...metricsPolling, ...config });
}
