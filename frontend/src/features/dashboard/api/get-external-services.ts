import useSWR, { type SWRConfiguration } from 'swr';
import { apiClient } from '@/lib/api-client';
import type { Schema } from '@/types/schemas';
import { metricsPolling } from './polling';
import { withPrefetch } from './prefetch';

/** What a provider declares on its own status page (Statuspage), as the backend last read it. */
export type DeclaredStatus = Schema<'DeclaredStatus'>;
/** The provider's own count of live rooms beside Pulse's count of live sessions on it. */
export type LiveRooms = Schema<'LiveRooms'>;
export type ExternalService = Schema<'ExternalService'>;
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
