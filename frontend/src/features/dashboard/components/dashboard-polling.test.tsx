import { screen, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { server } from '@/testing/server';
import { apiError } from '@/testing/handlers';
import { renderApp } from '@/testing/render-app';
import { NOW, currentMetricsFixture, sessionMetricsFixture } from '@/testing/fixtures';
import { LIVE_REFRESH_INTERVAL_MS, METRICS_REFRESH_INTERVAL_MS } from '../api/polling';

/** Counts the calls an endpoint receives and answers with `respond`. */
function countCalls(path: string, respond: () => Response) {
  const counter = { calls: 0 };
  server.use(
    http.get(`*${path}`, () => {
      counter.calls += 1;
      return respond();
    }),
  );
  return counter;
}

describe('dashboard polling', () => {
  beforeEach(() => {
    // Fake clock that still creeps forward with real time, so MSW and React can settle.
    vi.useFakeTimers({ now: NOW, shouldAdvanceTime: true });
  });

  it('refreshes a 30 s endpoint (/sessions) after 30 s and not before', async () => {
    expect(METRICS_REFRESH_INTERVAL_MS).toBe(30_000);
    const requestedAt: number[] = [];
    server.use(
      http.get('*/api/admin/metrics/sessions', () => {
        requestedAt.push(Date.now());
        return HttpResponse.json(sessionMetricsFixture());
      }),
    );
    renderApp('/admin/dashboard');
    await screen.findByRole('region', { name: 'Sessions by category (last 30 days)' });
    expect(requestedAt).toHaveLength(1);
    const first = requestedAt[0]!;
    // Measured from the first request on the fake clock, so a slow machine can't blur the edges.
    const advanceTo = (at: number) => vi.advanceTimersByTimeAsync(Math.max(0, at - Date.now()));

    await advanceTo(first + METRICS_REFRESH_INTERVAL_MS - 1_000);
    expect(requestedAt).toHaveLength(1);

    await advanceTo(first + METRICS_REFRESH_INTERVAL_MS + 500);
    expect(requestedAt).toHaveLength(2);
    expect(requestedAt[1]! - first).toBeGreaterThanOrEqual(METRICS_REFRESH_INTERVAL_MS - 1_000);
  });

  it('refreshes /current every 5 s so active sessions feel live', async () => {
    let active = 42;
    const current = countCalls('/api/admin/metrics/current', () =>
      HttpResponse.json(currentMetricsFixture({ active_sessions_count: active })),
    );
    renderApp('/admin/dashboard');
    expect(await screen.findByTestId('active-sessions-value')).toHaveTextContent('42');

    active = 43;
    await vi.advanceTimersByTimeAsync(LIVE_REFRESH_INTERVAL_MS + 100);
    expect(current.calls).toBe(2);
    expect(await screen.findByText('43')).toBeInTheDocument();
    expect(screen.getByText(/^updated 12:35:0\d$/)).toBeInTheDocument();
  });

  it('keeps the last numbers on screen with a stale banner when a refresh fails, and recovers', async () => {
    renderApp('/admin/dashboard');
    expect(await screen.findByTestId('active-sessions-value')).toHaveTextContent('42');
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();

    server.use(http.get('*/api/admin/metrics/current', () => apiError(503, 'unavailable', 'database unreachable')));
    await vi.advanceTimersByTimeAsync(LIVE_REFRESH_INTERVAL_MS + 100);

    expect(await screen.findByRole('alert')).toHaveTextContent('Stale since 12:34 — retrying');
    expect(screen.getByTestId('active-sessions-value')).toHaveTextContent('42');
    // The verdict is no longer known: no coloured badge while the API is unreachable.
    const header = within(screen.getByRole('region', { name: 'System health' }));
    expect(header.getByText('Unknown')).toBeInTheDocument();
    expect(header.queryByText('Degraded')).not.toBeInTheDocument(); // the fixture's verdict
    expect(header.getByText(/cannot be reached; last known state: Degraded/)).toBeInTheDocument();
    expect(screen.queryByText(/Live, refreshed/)).not.toBeInTheDocument();

    server.resetHandlers();
    await vi.advanceTimersByTimeAsync(LIVE_REFRESH_INTERVAL_MS + 100);
    await vi.waitFor(() => expect(screen.queryByRole('alert')).not.toBeInTheDocument());
  });

  it('backs off exponentially while /current keeps failing', async () => {
    let failing = false;
    const current = countCalls('/api/admin/metrics/current', () =>
      failing ? apiError(503, 'unavailable', 'database unreachable') : HttpResponse.json(currentMetricsFixture()),
    );
    renderApp('/admin/dashboard');
    await screen.findByTestId('active-sessions-value');
    failing = true;

    const callsAfter = async (ms: number) => {
      await vi.advanceTimersByTimeAsync(ms);
      return current.calls;
    };
    expect(await callsAfter(5_100)).toBe(2); // the regular 5 s poll fails
    expect(await callsAfter(5_000)).toBe(3); // retry 1 after 5 s
    expect(await callsAfter(5_000)).toBe(3);
    expect(await callsAfter(5_000)).toBe(4); // retry 2 after 10 s
    expect(await callsAfter(15_000)).toBe(4);
    expect(await callsAfter(5_000)).toBe(5); // retry 3 after 20 s
  });

  it('returns to /login when the session expires during polling', async () => {
    renderApp('/admin/dashboard');
    await screen.findByTestId('active-sessions-value');

    server.use(http.get('*/api/admin/metrics/current', () => apiError(401, 'unauthorized', 'session expired')));
    await vi.advanceTimersByTimeAsync(LIVE_REFRESH_INTERVAL_MS + 100);

    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeInTheDocument();
    expect(window.location.pathname).toBe('/login');
  });
});
