import useSWR, { type SWRConfiguration } from 'swr';
import { apiClient } from '@/lib/api-client';
import type { Schema } from '@/types/schemas';
import { metricsPolling } from './polling';
import { withPrefetch } from './prefetch';

/** What a provider declares on its own status page (Statuspage), as the backend last read it. */
export interface DeclaredStatus {
  /** `unknown` when the page could not be read; `description` then says why. */
  indicator: 'none' | 'minor' | 'major' | 'critical' | 'maintenance' | 'unknown';
  description: string;
  /** Title of the most severe open incident. */
  incident: string | null;
  incident_impact: 'none' | 'minor' | 'major' | 'critical' | null;
  /** The maintenance in progress, or else the next one scheduled. */
  maintenance: {
    name: string;
    status: 'in_progress' | 'verifying' | 'scheduled';
    scheduled_for: string | null;
  } | null;
  checked_at: string;
}

/** The provider's own count of live rooms beside Pulse's count of live sessions on it. */
export interface LiveRooms {
  /** null when the provider's API does not tell (no credentials, no such endpoint). */
  provider: number | null;
  /** null while the database cannot be read. */
  pulse: number | null;
}

/**
 * Local extension of the generated ExternalService: `declared`, `live_rooms` and `demo` are new
 * in the backend (ExternalService in internal/httpapi/metrics.go) and src/types/api.d.ts is only
 * regenerated at merge (`make openapi`). Once it is, this intersection adds nothing and can go.
 */
interface ExternalServiceExtension {
  declared: DeclaredStatus | null;
  live_rooms: LiveRooms;
  /** A local stand-in of the provider (`pulse demo`). */
  demo: boolean;
}

export type ExternalService = Schema<'ExternalServices'>['services'][number] & ExternalServiceExtension;

export interface ExternalServices {
  services: ExternalService[];
}

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
