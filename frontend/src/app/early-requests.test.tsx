import { screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { server } from '@/testing/server';
import { renderApp } from '@/testing/render-app';
import { getSession, sessionKey } from '@/features/auth/api/get-session';
import { currentMetricsKey } from '@/features/dashboard/api/get-current-metrics';
import { errorTrendKey } from '@/features/dashboard/api/get-error-trend';
import { externalServicesKey } from '@/features/dashboard/api/get-external-services';
import { sessionMetricsKey } from '@/features/dashboard/api/get-session-metrics';
import { openIncidentsKey } from '@/features/dashboard/api/get-incidents';
import earlyRequests from '../../public/early-requests.js?raw';

/** Runs public/early-requests.js as index.html does, before the app. */
const runEarlyRequests = () => new Function(earlyRequests)() as void;

const dashboardRequests = [
  sessionKey,
  currentMetricsKey,
  sessionMetricsKey,
  errorTrendKey,
  externalServicesKey,
  openIncidentsKey,
];
// The incident timeline's URL carries a `since` of the moment the app asks: the app asks for it itself.
const isTimeline = (url: string) => url.startsWith('/api/admin/incidents?since=');

describe('early requests (public/early-requests.js)', () => {
  afterEach(() => {
    delete window.__pulseEarlyResponses;
    server.events.removeAllListeners();
  });

  it('asks for the session, every metric and the open incidents before the app runs, and the app asks for none again', async () => {
    const asked: string[] = [];
    server.events.on('request:start', ({ request }) => {
      const url = new URL(request.url);
      asked.push(url.pathname + url.search);
    });
    window.history.replaceState(null, '', '/admin/dashboard');
    runEarlyRequests();
    expect(Object.keys(window.__pulseEarlyResponses ?? {})).toEqual(dashboardRequests);

    renderApp('/admin/dashboard');
    expect(await screen.findByTestId('active-sessions-value')).toHaveTextContent('42');
    await waitFor(() => expect(window.__pulseEarlyResponses).toEqual({}));
    await waitFor(() => expect(asked.filter(isTimeline)).toHaveLength(1));
    expect(asked.filter((url) => !isTimeline(url)).sort()).toEqual([...dashboardRequests].sort());
  });

  it('hands no early response to a request after start-up', async () => {
    renderApp('/admin/dashboard');
    expect(await screen.findByTestId('active-sessions-value')).toHaveTextContent('42');
    const asked: string[] = [];
    server.events.on('request:start', ({ request }) => asked.push(new URL(request.url).pathname));
    // The script ran late (it is `async`), after the app had started: its answers would be stale.
    runEarlyRequests();
    await getSession();
    // Asked twice: once by the script, once by the app, which took nothing of the script's.
    await waitFor(() => expect(asked.filter((path) => path === sessionKey)).toHaveLength(2));
    expect(window.__pulseEarlyResponses).toHaveProperty([sessionKey]);
  });

  it('asks for nothing on another page', () => {
    window.history.replaceState(null, '', '/login');
    runEarlyRequests();
    expect(window.__pulseEarlyResponses).toBeUndefined();
  });
});
