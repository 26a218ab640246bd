import type { components } from '@/types/api';

type ErrorResponse = components['schemas']['ErrorResponse'];

/**
 * A failed API call. `status` is the HTTP status (0 when the server could not be reached),
 * `code` the machine-readable code from the server's {"error":{"code","message"}} body.
 */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
  }
}

/** True when `error` is an ApiError, optionally with the given HTTP status. */
export function isApiError(error: unknown, status?: number): error is ApiError {
  return error instanceof ApiError && (status === undefined || error.status === status);
}

let unauthorizedHandler: (() => void) | null = null;

/**
 * Registers what happens when a request answers 401 (the app sends the admin back to /login).
 * Returns a function that removes the handler.
 */
export function setUnauthorizedHandler(handler: () => void): () => void {
  unauthorizedHandler = handler;
  return () => {
    if (unauthorizedHandler === handler) unauthorizedHandler = null;
  };
}

declare global {
  interface Window {
    /** GET requests public/early-requests.js started before the app ran, by path. */
    __pulseEarlyResponses?: Record<string, Promise<Response> | undefined>;
  }
}

// Early responses answer the app's start-up, nothing later: a poll or a re-check of /auth/me
// after a logout must not get an answer from the page load.
let startingUp = true;

/**
 * The response to GET `path` that public/early-requests.js started, the first time it is asked
 * for, and only while the app is starting (until forgetEarlyResponses()).
 */
export function takeEarlyResponse(path: string): Promise<Response> | undefined {
  if (!startingUp) return undefined;
  const early = window.__pulseEarlyResponses;
  const response = early?.[path];
  if (early && response) delete early[path];
  return response;
}

/** Start-up is over: drops the early responses nobody took, and no later request gets one. */
export function forgetEarlyResponses(): void {
  startingUp = false;
  const early = window.__pulseEarlyResponses;
  if (early) for (const path of Object.keys(early)) delete early[path];
}

export interface RequestOptions {
  method?: 'GET' | 'POST';
  body?: unknown;
  /** 401 is a normal answer here (wrong password at login), not an expired session. */
  expectUnauthorized?: boolean;
}

/**
 * The one way the app talks to the API: same-origin cookie auth, JSON in and out,
 * every failure turned into an ApiError, and a 401 reported to the registered handler.
 */
export async function apiRequest<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  let body: string | undefined;
  if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.body);
  }

  let response: Response;
  try {
    const early = options.method === undefined || options.method === 'GET' ? takeEarlyResponse(path) : undefined;
    response = await (early ??
      fetch(path, {
        method: options.method ?? 'GET',
        headers,
        body,
        credentials: 'include',
      }));
  } catch (cause) {
    throw new ApiError(0, 'network', 'Could not reach the server', { cause });
  }

  if (!response.ok) {
    const error = await readError(response);
    if (response.status === 401 && !options.expectUnauthorized) unauthorizedHandler?.();
    throw error;
  }
  if (response.status === 204) return undefined as T;

  try {
    return (await response.json()) as T;
  } catch (cause) {
    // Typically the SPA's index.html served for an /api path: the proxy or backend route is missing.
    throw new ApiError(response.status, 'invalid_response', 'The server sent a response that is not JSON', {
      cause,
    });
  }
}

async function readError(response: Response): Promise<ApiError> {
  const fallback = new ApiError(
    response.status,
    `http_${response.status}`,
    response.statusText || `Request failed with status ${response.status}`,
  );
  try {
    const body = (await response.json()) as Partial<ErrorResponse> | null;
    const error = body?.error;
    if (error && typeof error.code === 'string' && typeof error.message === 'string') {
      return new ApiError(response.status, error.code, error.message);
    }
  } catch {
    // Not JSON (a proxy's HTML error page, an empty body): keep the status-based error.
  }
  return fallback;
}

export const apiClient = {
  get: <T>(path: string) => apiRequest<T>(path),
  post: <T>(path: string, body?: unknown, options?: Omit<RequestOptions, 'method' | 'body'>) =>
    apiRequest<T>(path, { ...options, method: 'POST', body }),
};
