import useSWR, { type SWRConfiguration } from 'swr';
import { apiClient } from '@/lib/api-client';
import type { Schema } from '@/types/schemas';
import { metricsPolling } from './polling';
import { withPrefetch } from './prefetch';

export type ExternalServices = Schema<'ExternalServices'>;

export const externalServicesKey = '/api/admin/metrics/external-services';

/** Last known status of Daily.co, LiveKit and Beyond Presence. */
export function getExternalServices(): Promise<ExternalServices> {
  return apiClient.get<ExternalServices>(externalServicesKey);
}

// The first fetch takes the request prefetchDashboardMetrics() started, if there is one.
const fetchExternalServices = withPrefetch(externalServicesKey, getExternalServices);

/** SWR hook for {@link getExternalServices}: polled and retried as {@link metricsPolling} says. */
export function useExternalServices(config?: SWRConfiguration<ExternalServices, Error>) {
  return useSWR<ExternalServices, Error>(externalServicesKey, fetchExternalServices, { ...metricsPolling, ...config });
}
