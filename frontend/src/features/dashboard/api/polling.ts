import type { SWRConfiguration } from 'swr';
import { isApiError } from '@/lib/api-client';
import { retryDelayMs } from '../utils/backoff';

/** How often every dashboard endpoint refreshes (acceptance criterion: auto-refresh every 30 s). */
export const METRICS_REFRESH_INTERVAL_MS = 30_000;

/** /current carries the active-sessions counter, which should feel live. */
export const LIVE_REFRESH_INTERVAL_MS = 5_000;

/** Retries after a failure wait 5 s, 10 s, 20 s… up to this: never longer than a healthy poll. */
export const MAX_RETRY_DELAY_MS = METRICS_REFRESH_INTERVAL_MS;

// SWR's own retry grows to minutes and has no cap; a monitoring screen should come back
// within one refresh interval of the backend. Auth failures are final: 401 leaves for /login, 403 is a page.
const retryWithBackoff: SWRConfiguration['onErrorRetry'] = (error, _key, config, revalidate, options) => {
  if (isApiError(error, 401) || isApiError(error, 403)) return;
  // Hidden tabs don't poll; focus revalidates.
  if (!config.isVisible()) return;
  setTimeout(
    () => void revalidate(options),
    retryDelayMs(options.retryCount, LIVE_REFRESH_INTERVAL_MS, MAX_RETRY_DELAY_MS),
  );
};

/** Polling for every dashboard endpoint. */
export const metricsPolling = {
  refreshInterval: METRICS_REFRESH_INTERVAL_MS,
  refreshWhenHidden: false,
  revalidateOnFocus: true,
  onErrorRetry: retryWithBackoff,
} satisfies SWRConfiguration;

/** Polling for /current: the same rules, five times as often. */
export const liveMetricsPolling = {
  ...metricsPolling,
  refreshInterval: LIVE_REFRESH_INTERVAL_MS,
} satisfies SWRConfiguration;
