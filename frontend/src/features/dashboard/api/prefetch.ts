// Requests started before the hook that needs them is mounted: on a cold load of the
// dashboard, the metrics go out beside /auth/me instead of one round trip after it. Each
// answer is handed to the first fetch of its key, once; what nobody took is dropped with
// forgetPrefetched() (the route leaving), with whatever public/early-requests.js started that
// nobody took, so no answer outlives the session that asked.

import { forgetEarlyResponses } from '@/lib/api-client';

const pending = new Map<string, Promise<unknown>>();

/** Starts `fetcher` now, unless a request for `key` is already waiting to be taken. */
export function prefetch(key: string, fetcher: () => Promise<unknown>): void {
  if (pending.has(key)) return;
  const request = fetcher();
  // Not taken, a failure (403 for a role without access) is nobody's business.
  request.catch(() => undefined);
  pending.set(key, request);
}

/** A fetcher for SWR: the prefetched request for `key` the first time, `fetcher` after that. */
export function withPrefetch<T>(key: string, fetcher: () => Promise<T>): () => Promise<T> {
  return () => {
    const request = pending.get(key) as Promise<T> | undefined;
    if (!request) return fetcher();
    pending.delete(key);
    return request;
  };
}

/** Drops every prefetched request nobody took, and the early responses nobody took. */
export function forgetPrefetched(): void {
  pending.clear();
  forgetEarlyResponses();
}
