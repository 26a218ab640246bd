import { screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { server } from '@/testing/server';
import { renderApp } from '@/testing/render-app';
import { sessionKey } from '@/features/auth/api/get-session';
import { currentMetricsKey } from '@/features/dashboard/api/get-current-metrics';
import { errorTrendKey } from '@/features/dashboard/api/get-error-trend';
import { externalServicesKey } from '@/features/dashboard/api/get-external-services';
import { sessionMetricsKey } from '@/features/dashboard/api/get-session-metrics';
import earlyRequests from '../../public/early-requests.js?raw';

/** Runs public/early-requests.js as index.html does, before the app. */
const runEarlyRequests = () => new Function(earlyRequests)() as void;

const dashboardRequests = [sessionKey, currentMetricsKey, sessionMetricsKey, errorTrendKey, externalServicesKey];

describe('early requests (public/early-requests.js)', () => {
  afterEach(() => {
    delete window.__pulseEarlyResponses;
    server.events.removeAllListeners();
  });

  it('asks for the session and every metric before the app runs, and the app asks for none again', async () => {
    const asked: string[] = [];
    server.events.on('request:start', ({ request }) => asked.push(new URL(request.url).pathname));
    window.history.replaceState(null, '', '/admin/dashboard');
    runEarlyRequests();
    expect(Object.keys(window.__pulseEarlyResponses ?? {})).toEqual(dashboardRequests);

    renderApp('/admin/dashboard');
    expect(await screen.findByTestId('active-sessions-value')).toHaveTextContent('42');
    await waitFor(() => expect(window.__pulseEarlyResponses).toEqual({}));
    expect([...asked].sort()).toEqual([...dashboardRequests].sort());
  });

  it('asks for nothing on another page', () => {
    window.history.replaceState(null, '', '/login');
    runEarlyRequests();
    expect(window.__pulseEarlyResponses).toBeUndefined();
  });
});
