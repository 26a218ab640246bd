import { screen, within } from '@testing-library/react';
import { http, HttpResponse } from 'msw';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { server } from '@/testing/server';
import { apiError } from '@/testing/handlers';
import { renderApp } from '@/testing/render-app';
import {
  NOW,
  incidentFixture,
  incidentTimelineFixture,
  openIncidentFixture,
  openIncidentsFixture,
} from '@/testing/fixtures';
import type { Schema } from '@/types/schemas';

type IncidentList = Schema<'IncidentList'>;

/** Answers GET /api/admin/incidents: `open` for ?status=open, `timeline` otherwise; records each URL. */
function answerIncidents({ open, timeline }: { open?: IncidentList; timeline?: IncidentList }) {
  const requests: URL[] = [];
  server.use(
    http.get('*/api/admin/incidents', ({ request }) => {
      const url = new URL(request.url);
      requests.push(url);
      return HttpResponse.json(
        url.searchParams.get('status') === 'open'
          ? (open ?? openIncidentsFixture())
          : (timeline ?? incidentTimelineFixture()),
      );
    }),
  );
  return requests;
}

const openCard = () => screen.findByRole('region', { name: 'Open incidents' });
const timelineCard = () => screen.findByRole('region', { name: 'Incidents, last 7 days' });

describe('dashboard incidents', () => {
  beforeEach(() => {
    // NOW is Tue 4 Mar 2025 12:34:56 UTC (vite.config.ts pins TZ=UTC); the fixtures are around it.
    vi.useFakeTimers({ now: NOW, shouldAdvanceTime: true });
  });

  it('lists the open incidents, critical first, with severity, rule, since when and whether silenced', async () => {
    const critical = openIncidentFixture({
      id: 60,
      rule: 'provider:livekit',
      rule_name: 'LiveKit API',
      severity: 'critical',
      reasons: ['LiveKit down: HTTP 503'],
      opened_at: '2025-03-04T12:31:00Z',
      silenced: false,
    });
    answerIncidents({ open: openIncidentsFixture([openIncidentFixture(), critical]) });
    renderApp('/admin/dashboard');

    const list = await within(await openCard()).findByRole('list', { name: 'Open incidents' });
    const items = within(list).getAllByRole('listitem', { name: /./ });
    expect(items.map((item) => within(item).getByRole('heading').textContent)).toEqual([
      'LiveKit API',
      'API latency p95',
    ]);

    const livekit = within(list).getByRole('listitem', { name: 'LiveKit API' });
    expect(within(livekit).getByText('Critical')).toBeInTheDocument();
    expect(within(livekit).getByText('provider:livekit')).toBeInTheDocument();
    expect(within(livekit).getByText('LiveKit down: HTTP 503')).toBeInTheDocument();
    expect(within(livekit).getByText(/ago$/).textContent).toBe('Open since Tue 4 Mar 12:31 · 3 min ago');
    expect(within(livekit).queryByText('Silenced')).not.toBeInTheDocument();

    const p95 = within(list).getByRole('listitem', { name: 'API latency p95' });
    expect(within(p95).getByText('Degraded')).toBeInTheDocument();
    expect(within(p95).getByText('Silenced')).toBeInTheDocument();
    expect(within(p95).getByText(/ago$/).textContent).toBe('Open since Tue 4 Mar 12:04 · 30 min ago');
    expect(within(p95).getByText('Tue 4 Mar 12:04')).toHaveAttribute('datetime', '2025-03-04T12:04:56Z');
  });

  it('says calmly that nothing is open', async () => {
    answerIncidents({ open: openIncidentsFixture([]) });
    renderApp('/admin/dashboard');
    const card = await openCard();
    expect(await within(card).findByText('No open incidents')).toBeInTheDocument();
    expect(within(card).queryByText(/Critical|Degraded/)).not.toBeInTheDocument();
  });

  it('draws a bar per incident of the last 7 days, a row per rule, each named in words', async () => {
    const requests = answerIncidents({});
    renderApp('/admin/dashboard');
    const card = await timelineCard();

    const rows = await within(card).findByRole('list', { name: 'Incidents by rule' });
    expect(
      within(rows)
        .getAllByRole('list')
        .map((list) => list.getAttribute('aria-label')),
    ).toEqual(['LiveKit API incidents', 'API latency p95 incidents', 'Database incidents']);
    const bar = (rule: string, name: string) =>
      within(within(card).getByRole('list', { name: `${rule} incidents` })).getByRole('listitem', { name });
    expect(bar('LiveKit API', 'LiveKit API, critical, Tue 4 Mar 10:12–10:21, 9 min')).toBeInTheDocument();
    expect(bar('Database', 'Database, critical, Sat 1 Mar 07:00–08:30, 1 h 30 min')).toBeInTheDocument();
    expect(
      bar('API latency p95', 'API latency p95, degraded, since Tue 4 Mar 12:04, still open, silenced'),
    ).toBeInTheDocument();
    // The colours are explained in words.
    const legend = within(card).getByRole('list', { name: 'Timeline legend' });
    expect(within(legend).getByText('Critical')).toBeInTheDocument();
    expect(within(legend).getByText('Degraded')).toBeInTheDocument();

    // The window asked for is the 7 days before now.
    const timelineRequest = requests.find((url) => url.searchParams.has('since'))!;
    const since = Date.parse(timelineRequest.searchParams.get('since')!);
    expect(Math.abs(since - (NOW.getTime() - 7 * 86_400_000))).toBeLessThan(60_000);
    expect(timelineRequest.searchParams.has('status')).toBe(false);
  });

  it('offers the timeline as a table, newest first', async () => {
    answerIncidents({});
    const { user } = renderApp('/admin/dashboard', { userEvent: { advanceTimers: vi.advanceTimersByTime } });
    const card = await timelineCard();
    await user.click(await within(card).findByText('Show as a table (3 incidents)'));

    const table = within(card).getByRole('table', { name: 'Incidents of the last 7 days, newest first' });
    const rows = within(table)
      .getAllByRole('row')
      .slice(1)
      .map((row) =>
        [within(row).getByRole('rowheader'), ...within(row).getAllByRole('cell')].map((cell) => cell.textContent),
      );
    expect(rows).toEqual([
      ['API latency p95', 'DegradedSilenced', 'since Tue 4 Mar 12:04', 'still open'],
      ['LiveKit API', 'Critical', 'Tue 4 Mar 10:12–10:21', '9 min'],
      ['Database', 'Critical', 'Sat 1 Mar 07:00–08:30', '1 h 30 min'],
    ]);
  });

  it('says "No incidents in the last 7 days" when there were none', async () => {
    answerIncidents({ open: openIncidentsFixture([]), timeline: incidentTimelineFixture([]) });
    renderApp('/admin/dashboard');
    const card = await timelineCard();
    expect(await within(card).findByText('No incidents in the last 7 days')).toBeInTheDocument();
    expect(within(card).queryByRole('list', { name: 'Incidents by rule' })).not.toBeInTheDocument();
    expect(within(card).queryByText(/Show as a table/)).not.toBeInTheDocument();
  });

  it('leaves out of the timeline what ended before its 7 days', async () => {
    const old = incidentFixture({ opened_at: '2025-02-20T10:00:00Z', resolved_at: '2025-02-20T11:00:00Z' });
    answerIncidents({ open: openIncidentsFixture([]), timeline: incidentTimelineFixture([old]) });
    renderApp('/admin/dashboard');
    expect(await within(await timelineCard()).findByText('No incidents in the last 7 days')).toBeInTheDocument();
  });

  it('says so in both cards when the incidents cannot be loaded, and shows the rest', async () => {
    server.use(http.get('*/api/admin/incidents', () => apiError(503, 'unavailable', 'database unreachable')));
    renderApp('/admin/dashboard');
    await screen.findByTestId('active-sessions-value');
    for (const card of [await openCard(), await timelineCard()]) {
      expect(await within(card).findByText('Could not load this yet. Retrying…')).toBeInTheDocument();
    }
    expect(screen.getByRole('alert')).toHaveTextContent('Some metrics could not be loaded — retrying');
  });

  it('shows the not-authorized page when the API refuses the incidents', async () => {
    server.use(http.get('*/api/admin/incidents', () => apiError(403, 'forbidden', 'insufficient role')));
    renderApp('/admin/dashboard');
    expect(await screen.findByRole('heading', { name: 'Not authorized' })).toBeInTheDocument();
  });
});
