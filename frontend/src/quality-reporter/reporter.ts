// The provider-independent half of the quality reporter: it takes Pulse
// quality classes from an adapter (livekit.ts, daily.ts), paces them and
// posts them to POST /api/sessions/{id}/quality with the session's quality
// token. Everything here runs inside a video call page, so nothing may throw
// out of it: every failure goes to the optional onError hook and is dropped.

/** Pulse's four connection quality classes, best first. */
export type PulseQuality = 'excellent' | 'good' | 'fair' | 'poor';

export interface ReporterOptions {
  /** Pulse's base URL, e.g. "https://pulse.example.org" (a trailing slash is fine). */
  url: string;
  /** The session's `quality_token` from `POST /api/sessions` or `GET /api/sessions/by-external/…`. */
  token: string;
  /** The Pulse session id (the `id` of the same answer): the route names it, the token only vouches for it. */
  sessionId: string;
  /**
   * Called with every error the reporter swallows: a failed or refused
   * request, an event it could not read, a provider object without `on`.
   * Optional; an error thrown by it is swallowed too.
   */
  onError?: (error: unknown) => void;
  /**
   * Re-send the current class this often while it does not change, in ms
   * (default 60 000; 0 = only on change; never more often than every 10 s).
   * Providers announce changes only, but Pulse counts a session as live while
   * it was seen in the last 30 minutes and averages samples of the last hour,
   * so a call that stays "good" for an hour must still say so.
   */
  heartbeatMs?: number;
}

/** Why the reporter gave up or dropped a sample; passed to onError. */
export class PulseQualityError extends Error {
  /** The HTTP status, or 0 when the request never got an answer. */
  readonly status: number;

  constructor(message: string, status: number) {
    super(message);
    this.name = 'PulseQualityError';
    this.status = status;
  }
}

/** At most one request per this many ms, retries included; the first sample goes at once. */
export const MIN_INTERVAL_MS = 10_000;
/** Retries wait MIN_INTERVAL_MS, then twice as long each time, up to this (plus up to a quarter of jitter). */
export const MAX_BACKOFF_MS = 60_000;
/** A request without an answer after this long is abandoned and retried. */
export const REQUEST_TIMEOUT_MS = 15_000;
export const DEFAULT_HEARTBEAT_MS = 60_000;

export interface Reporter {
  /** Offer the latest class; it is sent now or at the next free slot, newer samples replacing older ones. */
  sample(quality: PulseQuality): void;
  /** Report an error through onError (for adapters). */
  fail(error: unknown): void;
  /** Stop for good: timers cleared, the adapter's listeners detached. Idempotent. */
  stop(): void;
  readonly stopped: boolean;
}

// Statuses that say the token or the session is over (401 bad or expired
// token, 403 not this session's token, 404 no such session, 409 the session
// ended, 410 gone): no later request can succeed, so the reporter stops.
const FATAL = new Set([401, 403, 404, 409, 410]);
// Statuses worth another try: the server or something in between is busy.
const RETRY = new Set([408, 425, 429]);

type Outcome = 'sent' | 'retry' | 'drop' | 'fatal';

/**
 * Creates the reporter for one session. `detach` removes the adapter's
 * listeners; it runs once, on stop(). Bad options give a reporter that is
 * already stopped (and an onError call), never an exception.
 */
export function createReporter(options: ReporterOptions, detach: () => void = () => {}): Reporter {
  const onError = typeof options?.onError === 'function' ? options.onError : undefined;
  const fail = (error: unknown) => {
    try {
      onError?.(error);
    } catch {
      // The page's own hook failed; the call must go on regardless.
    }
  };

  let endpoint = '';
  let authorization = '';
  let heartbeatMs = DEFAULT_HEARTBEAT_MS;
  let stopped = false;
  try {
    endpoint = qualityEndpoint(options);
    authorization = `Bearer ${requireString(options.token, 'token')}`;
    if (options.heartbeatMs !== undefined) {
      const h = Number(options.heartbeatMs);
      heartbeatMs = Number.isFinite(h) && h > 0 ? Math.max(h, MIN_INTERVAL_MS) : 0;
    }
    if (typeof fetch !== 'function') throw new Error('Pulse quality reporter: this browser has no fetch');
  } catch (error) {
    fail(error);
    stopped = true;
  }

  let current: PulseQuality | null = null; // the latest class known, for heartbeats
  let pending: PulseQuality | null = null; // the latest class not yet delivered
  let inFlight = false;
  let failures = 0;
  let gate: ReturnType<typeof setTimeout> | undefined; // set while the next send must wait
  let heartbeat: ReturnType<typeof setTimeout> | undefined;
  let detached = false;

  const clear = () => {
    clearTimeout(gate);
    clearTimeout(heartbeat);
    gate = heartbeat = undefined;
  };

  const stop = () => {
    stopped = true;
    clear();
    if (detached) return;
    detached = true;
    try {
      detach();
    } catch (error) {
      fail(error);
    }
  };

  const wait = (ms: number) => {
    clearTimeout(gate);
    gate = setTimeout(() => {
      gate = undefined;
      pump();
    }, ms);
  };

  const armHeartbeat = () => {
    clearTimeout(heartbeat);
    heartbeat = undefined;
    if (heartbeatMs <= 0 || stopped) return;
    heartbeat = setTimeout(() => {
      heartbeat = undefined;
      if (pending === null && current !== null) pending = current;
      pump();
    }, heartbeatMs);
  };

  // Sends the pending sample when nothing is in flight and no wait is running.
  const pump = () => {
    if (stopped || inFlight || gate !== undefined || pending === null) return;
    const quality = pending;
    pending = null;
    inFlight = true;
    wait(MIN_INTERVAL_MS);
    void post(endpoint, authorization, quality, fail).then((outcome) => {
      inFlight = false;
      if (stopped) return;
      switch (outcome) {
        case 'sent':
        case 'drop':
          failures = 0;
          armHeartbeat();
          break;
        case 'retry': {
          failures += 1;
          pending ??= quality; // a newer sample, if one came, replaces the failed one
          const backoff = Math.min(MIN_INTERVAL_MS * 2 ** (failures - 1), MAX_BACKOFF_MS);
          wait(backoff + Math.floor(Math.random() * (backoff / 4)));
          return;
        }
        case 'fatal':
          stop();
          return;
      }
      pump();
    });
  };

  return {
    sample(quality) {
      if (stopped) return;
      current = pending = quality;
      pump();
    },
    fail,
    stop,
    get stopped() {
      return stopped;
    },
  };
}

// One POST; resolves (never rejects) to what the reporter should do next.
async function post(
  endpoint: string,
  authorization: string,
  quality: PulseQuality,
  fail: (error: unknown) => void,
): Promise<Outcome> {
  const abort = typeof AbortController === 'function' ? new AbortController() : undefined;
  const timeout = setTimeout(() => abort?.abort(), REQUEST_TIMEOUT_MS);
  try {
    const res = await fetch(endpoint, {
      method: 'POST',
      headers: { Authorization: authorization, 'Content-Type': 'application/json' },
      body: JSON.stringify({ quality }),
      // The last sample of a call often leaves as the page closes.
      keepalive: true,
      // The bearer token is the only credential; no cookies of the call page's own.
      credentials: 'omit',
      mode: 'cors',
      signal: abort?.signal,
    });
    if (res.ok) return 'sent';
    const status = res.status;
    if (FATAL.has(status)) {
      fail(new PulseQualityError(`Pulse refused the quality token or the session is over (HTTP ${status}); reporting stopped`, status));
      return 'fatal';
    }
    if (status >= 500 || RETRY.has(status)) {
      fail(new PulseQualityError(`Pulse answered HTTP ${status}; retrying`, status));
      return 'retry';
    }
    fail(new PulseQualityError(`Pulse rejected the sample "${quality}" (HTTP ${status}); dropped`, status));
    return 'drop';
  } catch (error) {
    fail(error);
    return 'retry';
  } finally {
    clearTimeout(timeout);
  }
}

function qualityEndpoint(options: ReporterOptions): string {
  if (!options || typeof options !== 'object') throw new TypeError('Pulse quality reporter: options {url, token, sessionId} are required');
  const base = requireString(options.url, 'url').replace(/\/+$/, '');
  const id = requireString(options.sessionId, 'sessionId');
  return `${base}/api/sessions/${encodeURIComponent(id)}/quality`;
}

function requireString(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.trim() === '') {
    throw new TypeError(`Pulse quality reporter: option "${name}" must be a non-empty string`);
  }
  return value.trim();
}

/**
 * Wraps an event listener so that nothing it throws reaches the provider's
 * event loop (and so the call page): the error goes to onError instead.
 */
export function guard<A extends unknown[]>(reporter: Reporter, listener: (...args: A) => void): (...args: A) => void {
  return (...args: A) => {
    try {
      listener(...args);
    } catch (error) {
      reporter.fail(error);
    }
  };
}
