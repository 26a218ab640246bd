import { http, HttpResponse } from 'msw';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { server } from '@/testing/server';
import { apiClient, ApiError, setUnauthorizedHandler } from './api-client';

const url = '/api/test';

describe('apiClient', () => {
  let unregister: (() => void) | undefined;
  afterEach(() => unregister?.());

  it('sends cookies and JSON, and returns the parsed body', async () => {
    let seen: { credentials?: string; contentType: string | null; body?: unknown } = { contentType: null };
    server.use(
      http.post(`*${url}`, async ({ request }) => {
        seen = {
          credentials: request.credentials,
          contentType: request.headers.get('content-type'),
          body: await request.json(),
        };
        return HttpResponse.json({ ok: true });
      }),
    );
    await expect(apiClient.post(url, { a: 1 })).resolves.toEqual({ ok: true });
    expect(seen).toEqual({ credentials: 'include', contentType: 'application/json', body: { a: 1 } });
  });

  it('returns undefined for 204', async () => {
    server.use(http.post(`*${url}`, () => new HttpResponse(null, { status: 204 })));
    await expect(apiClient.post(url)).resolves.toBeUndefined();
  });

  it('turns {"error":{"code","message"}} into an ApiError', async () => {
    server.use(
      http.get(`*${url}`, () => HttpResponse.json({ error: { code: 'forbidden', message: 'nope' } }, { status: 403 })),
    );
    const error = await apiClient.get(url).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 403, code: 'forbidden', message: 'nope' });
  });

  it('keeps the status when the error body is not JSON', async () => {
    server.use(
      http.get(`*${url}`, () => new HttpResponse('<h1>Bad gateway</h1>', { status: 502, statusText: 'Bad Gateway' })),
    );
    await expect(apiClient.get(url)).rejects.toMatchObject({ status: 502, code: 'http_502', message: 'Bad Gateway' });
  });

  it('reports a network failure as status 0', async () => {
    server.use(http.get(`*${url}`, () => HttpResponse.error()));
    await expect(apiClient.get(url)).rejects.toMatchObject({ status: 0, code: 'network' });
  });

  it('rejects a 200 that is not JSON (an index.html served for an API path)', async () => {
    server.use(http.get(`*${url}`, () => HttpResponse.html('<!doctype html><title>Pulse</title>')));
    await expect(apiClient.get(url)).rejects.toMatchObject({ code: 'invalid_response' });
  });

  it('calls the unauthorized handler on 401, except where 401 is an expected answer', async () => {
    const onUnauthorized = vi.fn();
    unregister = setUnauthorizedHandler(onUnauthorized);
    server.use(
      http.get(`*${url}`, () =>
        HttpResponse.json({ error: { code: 'unauthorized', message: 'expired' } }, { status: 401 }),
      ),
      http.post(`*${url}`, () =>
        HttpResponse.json({ error: { code: 'unauthorized', message: 'bad' } }, { status: 401 }),
      ),
    );
    await expect(apiClient.get(url)).rejects.toMatchObject({ status: 401 });
    expect(onUnauthorized).toHaveBeenCalledTimes(1);

    await expect(apiClient.post(url, {}, { expectUnauthorized: true })).rejects.toMatchObject({ status: 401 });
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
  });
});

describe('early responses (public/early-requests.js)', () => {
  // A fresh module each time: the app is starting until forgetEarlyResponses() says otherwise.
  const freshClient = async () => {
    vi.resetModules();
    return import('./api-client');
  };
  afterEach(() => {
    delete window.__pulseEarlyResponses;
  });

  it('hands an early response to the first GET of its path while the app is starting, once', async () => {
    server.use(http.get(`*${url}`, () => HttpResponse.json({ from: 'server' })));
    const client = await freshClient();
    window.__pulseEarlyResponses = { [url]: Promise.resolve(Response.json({ from: 'early' })) };

    await expect(client.apiClient.get(url)).resolves.toEqual({ from: 'early' });
    expect(window.__pulseEarlyResponses).toEqual({});
    await expect(client.apiClient.get(url)).resolves.toEqual({ from: 'server' });
  });

  it('hands none to a request after start-up, and drops those nobody took', async () => {
    server.use(http.get(`*${url}`, () => HttpResponse.json({ from: 'server' })));
    const client = await freshClient();
    window.__pulseEarlyResponses = { [url]: Promise.resolve(Response.json({ from: 'early' })) };

    client.forgetEarlyResponses();
    expect(window.__pulseEarlyResponses).toEqual({});
    // One that arrives later still (the async script ran after the app started) is not used either.
    window.__pulseEarlyResponses = { [url]: Promise.resolve(Response.json({ from: 'early' })) };
    expect(client.takeEarlyResponse(url)).toBeUndefined();
    await expect(client.apiClient.get(url)).resolves.toEqual({ from: 'server' });
  });
});
