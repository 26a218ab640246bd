import { screen, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { server } from '@/testing/server';
import { apiError } from '@/testing/handlers';
import { renderApp } from '@/testing/render-app';
import {
  NOW,
  currentMetricsFixture,
  errorTrendFixture,
  externalServicesFixture,
  incidentTimelineFixture,
  openIncidentFixture,
  openIncidentsFixture,
  sessionMetricsFixture,
} from '@/testing/fixtures';

// The intervals are written out, not imported: these tests are the spec the constants must meet.
const LIVE_MS = 5_000;
const METRICS_MS = 30_000;

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

/** Hides or shows the tab as the browser would: visibilityState changes, then visibilitychange fires. */
function setTabHidden(hidden: boolean) {
  vi.spyOn(document, 'visibilityState', 'get').mockReturnValue(hidden ? 'hidden' : 'visible');
  document.dispatchEvent(new Event('visibilitychange'));
}

describe('dashboard polling', () => {
  beforeEach(() => {
    // Fake clock that still creeps forward with real time, so MSW and React can settle.
    vi.useFakeTimers({ now: NOW, shouldAdvanceTime: true });
  });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  it.each([
    ['/sessions', () => HttpResponse.json(sessionMetricsFixture())],
    ['/errors', () => HttpResponse.json(errorTrendFixture())],
    ['/external-services', () => HttpResponse.json(externalServicesFixture())],
  ])('refreshes %s after 30 s and not before', async (endpoint, respond) => {
    const requestedAt: number[] = [];
    server.use(
      http.get(`*/api/admin/metrics${endpoint}`, () => {
        requestedAt.push(Date.now());
        return respond();
      }),
    );
    renderApp('/admin/dashboard');
    await vi.waitFor(() => expect(requestedAt).toHaveLength(1));
    const first = requestedAt[0]!;
    // Measured from the first request on the fake clock, so a slow machine can't blur the edges.
    const advanceTo = (at: number) => vi.advanceTimersByTimeAsync(Math.max(0, at - Date.now()));

    await advanceTo(first + METRICS_MS - 1_000);
    expect(requestedAt).toHaveLength(1);

    await advanceTo(first + METRICS_MS + 500);
    expect(requestedAt).toHaveLength(2);
    expect(requestedAt[1]! - first).toBeGreaterThanOrEqual(METRICS_MS - 1_000);
  });

  it('refreshes the open incidents and the timeline after 30 s and not before, so a new incident shows up', async () => {
    const opened = openIncidentFixture({ opened_at: '2025-03-04T12:35:10Z', silenced: false });
    let incidents = [] as ReturnType<typeof openIncidentFixture>[];
    const requestedAt = { open: [] as number[], timeline: [] as number[] };
    server.use(
      http.get('*/api/admin/incidents', ({ request }) => {
        const open = new URL(request.url).searchParams.get('status') === 'open';
        (open ? requestedAt.open : requestedAt.timeline).push(Date.now());
        return HttpResponse.json(open ? openIncidentsFixture(incidents) : incidentTimelineFixture(incidents));
      }),
    );
    renderApp('/admin/dashboard');
    expect(await screen.findByText('No open incidents')).toBeInTheDocument();
    expect(await screen.findByText('No incidents in the last 7 days')).toBeInTheDocument();
    const first = Math.min(requestedAt.open[0]!, requestedAt.timeline[0]!);
    const advanceTo = (at: number) => vi.advanceTimersByTimeAsync(Math.max(0, at - Date.now()));

    incidents = [opened];
    await advanceTo(first + METRICS_MS - 1_000);
    expect([requestedAt.open.length, requestedAt.timeline.length]).toEqual([1, 1]);
    expect(screen.getByText('No open incidents')).toBeInTheDocument();

    await advanceTo(first + METRICS_MS + 1_000);
    expect([requestedAt.open.length, requestedAt.timeline.length]).toEqual([2, 2]);
    const openList = await screen.findByRole('list', { name: 'Open incidents' });
    expect(within(openList).getByRole('listitem', { name: 'API latency p95' })).toBeInTheDocument();
    expect(
      await screen.findByRole('listitem', { name: 'API latency p95, degraded, since Tue 4 Mar 12:35, still open' }),
    ).toBeInTheDocument();
  });

  it('refreshes /current every 5 s so active sessions feel live', async () => {
    let active = 42;
    const current = countCalls('/api/admin/metrics/current', () =>
      HttpResponse.json(currentMetricsFixture({ active_sessions_count: active })),
    );
    renderApp('/admin/dashboard');
    expect(await screen.findByTestId('active-sessions-value')).toHaveTextContent('42');
    // What the card promises is what it does.
    expect(screen.getByText('Live, refreshed every 5 seconds')).toBeInTheDocument();

    active = 43;
    await vi.advanceTimersByTimeAsync(LIVE_MS + 100);
    expect(current.calls).toBe(2);
    expect(await screen.findByText('43')).toBeInTheDocument();
    expect(screen.getByText(/^updated 12:35:0\d$/)).toBeInTheDocument();
  });

  it('asks for nothing while the tab is hidden, and catches up when it is shown again', async () => {
    const current = countCalls('/api/admin/metrics/current', () => HttpResponse.json(currentMetricsFixture()));
    const sessions = countCalls('/api/admin/metrics/sessions', () => HttpResponse.json(sessionMetricsFixture()));
    renderApp('/admin/dashboard');
    await screen.findByRole('region', { name: 'Sessions by category (last 30 days)' });
    await screen.findByTestId('active-sessions-value');
    expect([current.calls, sessions.calls]).toEqual([1, 1]);

    setTabHidden(true);
    await vi.advanceTimersByTimeAsync(2 * METRICS_MS + LIVE_MS);
    expect([current.calls, sessions.calls]).toEqual([1, 1]);

    // Well before the next 30 s poll is due: coming back to the tab refreshes at once.
    setTabHidden(false);
    await vi.waitFor(() => expect([current.calls, sessions.calls]).toEqual([2, 2]));
  });

  it('keeps the last numbers on screen with a stale banner when a refresh fails, and recovers', async () => {
    renderApp('/admin/dashboard');
    expect(await screen.findByTestId('active-sessions-value')).toHaveTextContent('42');
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();

    server.use(http.get('*/api/admin/metrics/current', () => apiError(503, 'unavailable', 'database unreachable')));
    await vi.advanceTimersByTimeAsync(LIVE_MS + 100);

    expect(await screen.findByRole('alert')).toHaveTextContent('Stale since 12:34 — retrying');
    expect(screen.getByTestId('active-sessions-value')).toHaveTextContent('42');
    // The verdict is no longer known: no coloured badge while the API is unreachable.
    const header = within(screen.getByRole('region', { name: 'System health' }));
    expect(header.getByText('Unknown')).toBeInTheDocument();
    expect(header.queryByText('Degraded')).not.toBeInTheDocument(); // the fixture's verdict
    expect(header.getByText(/cannot be reached; last known state: Degraded/)).toBeInTheDocument();
    expect(screen.queryByText(/Live, refreshed/)).not.toBeInTheDocument();

    server.resetHandlers();
    await vi.advanceTimersByTimeAsync(LIVE_MS + 100);
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
    await vi.advanceTimersByTimeAsync(LIVE_MS + 100);

    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeInTheDocument();
    expect(window.location.pathname).toBe('/login');
  });
});
