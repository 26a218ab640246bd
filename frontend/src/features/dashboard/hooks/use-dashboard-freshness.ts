import { useCallback, useMemo, useState } from 'react';
import { isApiError } from '@/lib/api-client';

/** The fields of an endpoint's SWR response that say how fresh its data is. */
export interface EndpointState {
  data?: unknown;
  error?: Error;
  isValidating: boolean;
}

export interface Freshness {
  /** When any endpoint last answered (epoch ms); undefined before the first answer. */
  lastUpdate?: number;
  /** A refresh is in flight for data already on screen. */
  refreshing: boolean;
  /** The endpoints (SWR keys) whose data on screen is from before a failed refresh. */
  stale: ReadonlySet<string>;
  /** Set while some endpoint's last request failed: what the stale banner says. */
  outage?: {
    /** When the oldest stale data was fetched (epoch ms); undefined if unknown. */
    since?: number;
    /** No failing endpoint had answered before: there is no old data to show. */
    nothingLoaded: boolean;
  };
}

/**
 * How fresh the numbers on screen are, from each endpoint's query (by SWR key) and when it
 * last answered. A 401 is no outage: it sends the admin to /login.
 */
export function assessFreshness(
  endpoints: Readonly<Record<string, EndpointState>>,
  updatedAt: Readonly<Record<string, number>>,
): Freshness {
  const queries = Object.entries(endpoints).map(([key, query]) => ({
    key,
    hasData: query.data !== undefined,
    failing: query.error !== undefined && !isApiError(query.error, 401),
    validating: query.isValidating,
  }));
  const failing = queries.filter((q) => q.failing);
  const stale = failing.filter((q) => q.hasData);
  const staleTimes = stale.map((q) => updatedAt[q.key]).filter((t): t is number => t !== undefined);
  const answerTimes = Object.values(updatedAt);

  return {
    lastUpdate: answerTimes.length > 0 ? Math.max(...answerTimes) : undefined,
    refreshing: queries.some((q) => q.validating && q.hasData),
    stale: new Set(stale.map((q) => q.key)),
    outage:
      failing.length > 0
        ? { since: staleTimes.length > 0 ? Math.min(...staleTimes) : undefined, nothingLoaded: stale.length === 0 }
        : undefined,
  };
}

/**
 * Remembers when each endpoint last answered and tells the page how fresh its numbers are:
 * pass `track` (an SWR config) to every query hook, then `assess` the queries.
 */
export function useDashboardFreshness() {
  const [updatedAt, setUpdatedAt] = useState<Readonly<Record<string, number>>>({});
  const track = useMemo(
    () => ({
      onSuccess: (_data: unknown, key: string) => setUpdatedAt((previous) => ({ ...previous, [key]: Date.now() })),
    }),
    [],
  );
  const assess = useCallback(
    (endpoints: Readonly<Record<string, EndpointState>>) => assessFreshness(endpoints, updatedAt),
    [updatedAt],
  );
  return { track, assess };
}
