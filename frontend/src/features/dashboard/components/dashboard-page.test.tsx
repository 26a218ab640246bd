import { screen, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { beforeAll, describe, expect, it } from 'vitest';
import { server } from '@/testing/server';
import { apiError } from '@/testing/handlers';
import { renderApp } from '@/testing/render-app';
import {
  currentMetricsFixture,
  errorTrendFixture,
  externalServicesFixture,
  sessionMetricsFixture,
} from '@/testing/fixtures';
import { preloadCharts } from './lazy-charts';
import { formatClock } from '../utils/format';

const region = (name: string | RegExp) => screen.getByRole('region', { name });

/** /current answers with the fixture, changed by `overrides`. */
function answerCurrent(overrides: Parameters<typeof currentMetricsFixture>[0]) {
  server.use(http.get('*/api/admin/metrics/current', () => HttpResponse.json(currentMetricsFixture(overrides))));
}

async function renderDashboard() {
  const view = renderApp('/admin/dashboard');
  await screen.findByTestId('active-sessions-value');
  return view;
}

describe('dashboard cards', () => {
  // Loading recharts through Vite's transform can outlast findBy's timeout on a busy machine.
  beforeAll(() => preloadCharts(), 30_000);

  it('shows the health verdict in words with its reasons', async () => {
    await renderDashboard();
    const header = screen.getByRole('heading', { level: 1, name: 'System health' }).closest('section')!;
    expect(within(header).getByText('Degraded')).toBeInTheDocument();
    expect(
      within(screen.getByRole('list', { name: 'Health reasons' })).getByText(/above the degraded threshold/),
    ).toBeInTheDocument();
    expect(within(header).getByText(/^updated \d\d:\d\d:\d\d$/)).toBeInTheDocument();
  });

  it('says when the server read the figures (generated_at), not only when they arrived', async () => {
    answerCurrent({ generated_at: '2025-03-04T12:34:50Z' });
    await renderDashboard();
    const header = screen.getByRole('heading', { level: 1, name: 'System health' }).closest('section')!;
    const time = within(header).getByText(`figures as of ${formatClock('2025-03-04T12:34:50Z')}`);
    expect(time).toHaveAttribute('datetime', '2025-03-04T12:34:50Z');
  });

  it('shows the four headline numbers from /current', async () => {
    await renderDashboard();
    expect(within(region('Active sessions')).getByText('42')).toBeInTheDocument();
    expect(within(region('Active sessions')).getByText('3 abandoned in the last 24 h')).toBeInTheDocument();
    expect(within(region('Average quality')).getByText('Good')).toBeInTheDocument();
    expect(within(region('Average quality')).getByText('Connection score 3.12 of 4, last hour')).toBeInTheDocument();
    expect(within(region('Error rate (last hour)')).getByText('3.1%')).toBeInTheDocument();
    expect(within(region('Error rate (last hour)')).getByText('of 12,840 requests')).toBeInTheDocument();
    expect(within(region('Response time p95')).getByText('246')).toBeInTheDocument();
  });

  it('shows a dash, not a false zero, for figures the backend could not read', async () => {
    answerCurrent({
      active_sessions_count: null,
      abandoned_sessions_last_24h: null,
      error_rate_last_hour: null,
      requests_last_hour: null,
      api_response_time_p95: null,
      system_health: 'critical',
      health_reasons: ['Database unreachable'],
    });
    await renderDashboard();
    expect(within(region('Active sessions')).getByText('—')).toBeInTheDocument();
    expect(within(region('Active sessions')).queryByText(/abandoned/)).not.toBeInTheDocument();
    expect(within(region('Error rate (last hour)')).getByText('—')).toBeInTheDocument();
    expect(within(region('System health')).getByText('Critical')).toBeInTheDocument();
    expect(screen.getByText('Database unreachable')).toBeInTheDocument();
  });

  it('lists sessions by category with the total', async () => {
    await renderDashboard();
    const card = await screen.findByRole('region', { name: 'Sessions by category (last 30 days)' });
    expect(within(card).getByText('130')).toBeInTheDocument();
    const rows = within(card).getAllByRole('listitem');
    expect(rows.map((row) => row.textContent)).toEqual(['Anxiety70', 'Career guidance40', 'Grief20']);
  });

  it('shows the quality distribution as a legend with numbers next to the donut', async () => {
    await renderDashboard();
    const legend = within(region('Connection quality')).getByRole('list', { name: 'Connection quality breakdown' });
    expect(
      within(legend)
        .getAllByRole('listitem')
        .map((item) => item.textContent),
    ).toEqual(['Excellent55.4%', 'Good30.0%', 'Fair10.1%', 'Poor4.5%']);
    expect(await screen.findByTestId('quality-chart')).toBeInTheDocument();
  });

  it('says so when no session has quality data', async () => {
    server.use(
      http.get('*/api/admin/metrics/sessions', () =>
        HttpResponse.json(
          sessionMetricsFixture({ connection_quality_distribution: { excellent: 0, good: 0, fair: 0, poor: 0 } }),
        ),
      ),
    );
    await renderDashboard();
    expect(
      await within(region('Connection quality')).findByText('No connection quality reports yet.'),
    ).toBeInTheDocument();
    expect(screen.queryByRole('list', { name: 'Connection quality breakdown' })).not.toBeInTheDocument();
  });

  it('summarises the hours that crossed the error thresholds', async () => {
    await renderDashboard();
    const card = await screen.findByRole('region', { name: 'Error rate, last 24 hours' });
    expect(
      within(card).getByText('1 hour above the critical threshold (5.0%), 1 hour above degraded (2.0%).'),
    ).toBeInTheDocument();
    expect(await within(card).findByTestId('error-rate-chart')).toBeInTheDocument();
  });

  it('shows an empty state when there was no API traffic at all', async () => {
    const quiet = errorTrendFixture();
    server.use(
      http.get('*/api/admin/metrics/errors', () =>
        HttpResponse.json({
          ...quiet,
          points: quiet.points.map((p) => ({ ...p, requests: 0, errors: 0, error_rate: 0 })),
          alerts: [],
        }),
      ),
    );
    await renderDashboard();
    expect(await screen.findByText(/No API traffic in the last 24 hours/)).toBeInTheDocument();
  });

  it('shows the database pool with its utilization', async () => {
    await renderDashboard();
    const card = region('Database connection pool');
    const fact = (term: string) => within(card).getByText(term).nextElementSibling?.textContent;
    expect(fact('Active')).toBe('6');
    expect(fact('Idle')).toBe('4');
    expect(fact('Max open')).toBe('20');
    expect(fact('Waits, last minute')).toBe('2');
    expect(fact('Waits in total')).toBe('17');
    expect(fact('Total wait time')).toBe('1.3 s');
    expect(within(card).getByRole('meter')).toHaveAttribute('aria-valuenow', '30');
    expect(within(card).getByText('Utilization: 30% (6 of 20 in use)')).toBeInTheDocument();
    expect(within(card).queryByRole('list', { name: 'Pool health' })).not.toBeInTheDocument();
  });

  it("flags the pool with the server's reason when the server says it is in trouble", async () => {
    const saturated = 'database pool saturated: 20 of 20 connections in use';
    answerCurrent({ db_pool_active: 20, db_pool_idle: 0, health_reasons: [saturated] });
    await renderDashboard();
    const card = region('Database connection pool');
    expect(within(card).getByText('Utilization: 100% (20 of 20 in use)')).toBeInTheDocument();
    const troubles = within(card).getByRole('list', { name: 'Pool health' });
    expect(within(troubles).getAllByRole('listitem').map((item) => item.textContent)).toEqual([saturated]);
    expect(within(card).getByRole('meter')).toHaveAccessibleDescription(saturated);
  });

  it('flags the pool when the server reports waits, even with connections to spare', async () => {
    const waits = 'database pool: 4 waits for a connection in the last minute';
    answerCurrent({ db_pool_waits_last_minute: 4, health_reasons: [waits] });
    await renderDashboard();
    const card = region('Database connection pool');
    expect(within(card).getByText('Utilization: 30% (6 of 20 in use)')).toBeInTheDocument();
    expect(within(within(card).getByRole('list', { name: 'Pool health' })).getByText(waits)).toBeInTheDocument();
  });

  it('shows a full pool as plain figures while the server finds no trouble with it', async () => {
    answerCurrent({
      db_pool_active: 20,
      db_pool_idle: 0,
      db_pool_waits_last_minute: 0,
      system_health: 'healthy',
      health_reasons: [],
    });
    await renderDashboard();
    const card = region('Database connection pool');
    expect(within(card).getByText('Utilization: 100% (20 of 20 in use)')).toBeInTheDocument();
    expect(within(card).getByRole('meter')).toHaveAttribute('aria-valuenow', '100');
    expect(within(card).queryByRole('list', { name: 'Pool health' })).not.toBeInTheDocument();
    expect(within(card).queryByText(/exhausted|running high/)).not.toBeInTheDocument();
  });

  it('says "unlimited" when the pool has no maximum', async () => {
    answerCurrent({ db_pool_size: 0 });
    await renderDashboard();
    const card = region('Database connection pool');
    expect(within(card).getByText('Max open').nextElementSibling).toHaveTextContent('unlimited');
    expect(within(card).queryByRole('meter')).not.toBeInTheDocument();
  });

  it('shows each external service with status, latency, last check and uptime', async () => {
    await renderDashboard();
    const daily = await screen.findByRole('listitem', { name: 'Daily.co' });
    expect(within(daily).getByText('Operational')).toBeInTheDocument();
    expect(within(daily).getByText('132 ms')).toBeInTheDocument();
    expect(within(daily).getByText('12:34:10')).toBeInTheDocument();
    expect(within(daily).getByText('99.95%')).toBeInTheDocument();

    const livekit = screen.getByRole('listitem', { name: 'LiveKit' });
    expect(within(livekit).getByText('Degraded')).toBeInTheDocument();
    expect(within(livekit).getByText('Slow response (1840 ms > 1000 ms)')).toBeInTheDocument();

    const beyond = screen.getByRole('listitem', { name: 'Beyond Presence' });
    expect(within(beyond).getByText('Not configured')).toBeInTheDocument();
    expect(within(beyond).getByText('never')).toBeInTheDocument();
  });

  it('shows what each provider declares and how many rooms it sees beside Pulse', async () => {
    await renderDashboard();
    const daily = await screen.findByRole('listitem', { name: 'Daily.co' });
    expect(within(daily).getByText('Daily.co sees 16 rooms, Pulse 16')).toBeInTheDocument();
    const dailyPage = within(daily).getByRole('region', { name: 'Daily.co status page' });
    expect(within(dailyPage).getByText('No incident')).toBeInTheDocument();
    expect(within(dailyPage).getByText(/All Systems Operational/)).toBeInTheDocument();
    expect(within(dailyPage).getByText(/^Maintenance scheduled for \w{3} 6 Mar 06:00: Database upgrade$/)).toBeInTheDocument();

    const livekit = screen.getByRole('listitem', { name: 'LiveKit' });
    expect(within(livekit).getByText('LiveKit sees 12 rooms, Pulse 9')).toBeInTheDocument();
    const livekitPage = within(livekit).getByRole('region', { name: 'LiveKit status page' });
    expect(within(livekitPage).getByText('Major')).toBeInTheDocument();
    expect(within(livekitPage).getByText('Elevated connection failures in US West')).toBeInTheDocument();
    expect(within(livekitPage).getByText('Incident (major):')).toBeInTheDocument();

    const beyond = screen.getByRole('listitem', { name: 'Beyond Presence' });
    expect(within(beyond).queryByRole('region')).not.toBeInTheDocument();
    expect(within(beyond).queryByText(/rooms/)).not.toBeInTheDocument();
    expect(screen.queryByText('Demo stand-in')).not.toBeInTheDocument();
  });

  it('says when a provider does not report its rooms or its status page could not be read', async () => {
    const fixture = externalServicesFixture();
    fixture.services[1] = {
      ...fixture.services[1]!,
      live_rooms: { provider: null, pulse: 4 },
      declared: {
        indicator: 'unknown',
        description: 'status page not read: HTTP 503',
        incident: null,
        incident_impact: null,
        maintenance: null,
        checked_at: '2025-03-04T12:34:12Z',
      },
    };
    server.use(http.get('*/api/admin/metrics/external-services', () => HttpResponse.json(fixture)));
    await renderDashboard();
    const livekit = await screen.findByRole('listitem', { name: 'LiveKit' });
    expect(within(livekit).getByText('LiveKit does not report its rooms; Pulse 4')).toBeInTheDocument();
    const page = within(livekit).getByRole('region', { name: 'LiveKit status page' });
    expect(within(page).getByText('Unknown')).toBeInTheDocument();
    expect(within(page).getByText(/status page not read: HTTP 503/)).toBeInTheDocument();
  });

  it('labels the demo stand-ins', async () => {
    const fixture = externalServicesFixture();
    fixture.services = fixture.services.map((s) => ({ ...s, demo: true }));
    server.use(http.get('*/api/admin/metrics/external-services', () => HttpResponse.json(fixture)));
    await renderDashboard();
    for (const name of ['Daily.co', 'LiveKit', 'Beyond Presence']) {
      const card = await screen.findByRole('listitem', { name });
      expect(within(card).getByText('Demo stand-in')).toBeInTheDocument();
    }
  });

  it('says so in the cards whose first load failed, and shows the rest', async () => {
    server.use(http.get('*/api/admin/metrics/sessions', () => apiError(503, 'unavailable', 'database unreachable')));
    await renderDashboard();
    for (const name of ['Connection quality', 'Sessions by category']) {
      const card = region(name);
      expect(await within(card).findByText('Could not load this yet. Retrying…')).toBeInTheDocument();
      expect(card).not.toHaveAttribute('aria-busy');
    }
    expect(within(region('Active sessions')).getByText('42')).toBeInTheDocument();
    expect(screen.getByRole('alert')).toHaveTextContent('Some metrics could not be loaded — retrying');
  });

  it('shows loading placeholders until the first answer arrives', async () => {
    let answer!: () => void;
    const answered = new Promise<void>((resolve) => (answer = resolve));
    server.use(
      http.get('*/api/admin/metrics/current', async () => {
        await answered;
        return HttpResponse.json(currentMetricsFixture());
      }),
    );
    renderApp('/admin/dashboard');
    const card = await screen.findByRole('region', { name: 'Active sessions' });
    expect(card).toHaveAttribute('aria-busy', 'true');
    expect(screen.queryByTestId('active-sessions-value')).not.toBeInTheDocument();
    answer();
    await screen.findByTestId('active-sessions-value');
    expect(region('Active sessions')).not.toHaveAttribute('aria-busy');
  });
});
