import { describe, expect, it } from 'vitest';
import { NOW, incidentFixture, openIncidentFixture } from '@/testing/fixtures';
import {
  dayTicks,
  formatIncidentDuration,
  formatIncidentSpan,
  sortOpenIncidents,
  timelineWindow,
  toTimelineRows,
  worstSeverity,
} from './incidents';

// vite.config.ts pins TZ=UTC for tests.
const HOUR = 3_600_000;
const now = NOW.getTime(); // Tue 4 Mar 2025 12:34:56
const week = timelineWindow(now, 7);
const at = (iso: string) => Date.parse(iso);
const pctOfWeek = (ms: number) => (ms / (7 * 24 * HOUR)) * 100;

describe('timelineWindow', () => {
  it('ends now and starts the given days before', () => {
    expect(week).toEqual({ from: at('2025-02-25T12:34:56Z'), to: now });
  });
});

describe('toTimelineRows', () => {
  it('places a resolved incident from its opening to its resolve, labelled in words', () => {
    const [row] = toTimelineRows([incidentFixture()], week);
    expect(row).toMatchObject({ rule: 'provider:livekit', ruleName: 'LiveKit API' });
    const [bar] = row!.bars;
    expect(bar!.leftPct).toBeCloseTo(pctOfWeek(at('2025-03-04T10:12:30Z') - week.from));
    expect(bar!.widthPct).toBeCloseTo(pctOfWeek(9 * 60_000));
    expect(bar).toMatchObject({
      id: 42,
      severity: 'critical',
      open: false,
      silenced: false,
      clippedStart: false,
      label: 'LiveKit API, critical, Tue 4 Mar 10:12–10:21, 9 min',
    });
  });

  it('runs an open incident to the end of the window, and says it is still open', () => {
    const [bar] = toTimelineRows([openIncidentFixture()], week)[0]!.bars;
    expect(bar!.open).toBe(true);
    expect(bar!.resolvedAt).toBeNull();
    expect(bar!.leftPct + bar!.widthPct).toBeCloseTo(100);
    expect(bar!.widthPct).toBeCloseTo(pctOfWeek(30 * 60_000));
    expect(bar!.label).toBe('API latency p95, degraded, since Tue 4 Mar 12:04, still open, silenced');
  });

  it('cuts an incident that began before the window at its left edge, and keeps its real times in the label', () => {
    const incident = incidentFixture({ opened_at: '2025-02-24T12:34:56Z', resolved_at: '2025-02-25T18:34:56Z' });
    const [bar] = toTimelineRows([incident], week)[0]!.bars;
    expect(bar!.leftPct).toBe(0);
    expect(bar!.widthPct).toBeCloseTo(pctOfWeek(6 * HOUR));
    expect(bar!.clippedStart).toBe(true);
    expect(bar!.label).toBe('LiveKit API, critical, Mon 24 Feb 12:34 – Tue 25 Feb 18:34, 1 d 6 h');
  });

  it('leaves out incidents wholly outside the window', () => {
    const before = incidentFixture({ id: 1, opened_at: '2025-02-20T00:00:00Z', resolved_at: '2025-02-20T01:00:00Z' });
    const after = incidentFixture({ id: 2, opened_at: '2025-03-04T13:00:00Z', resolved_at: null });
    expect(toTimelineRows([before, after], week)).toEqual([]);
  });

  it('gives each rule one row, in a fixed rule order, with its bars oldest first', () => {
    const rows = toTimelineRows(
      [
        openIncidentFixture(),
        incidentFixture({ id: 3, opened_at: '2025-03-03T10:00:00Z', resolved_at: '2025-03-03T10:30:00Z' }),
        incidentFixture({ id: 2, opened_at: '2025-03-02T10:00:00Z', resolved_at: '2025-03-02T10:30:00Z' }),
        incidentFixture({ id: 7, rule: 'health', rule_name: 'System health' }),
      ],
      week,
    );
    expect(rows.map((row) => row.ruleName)).toEqual(['System health', 'LiveKit API', 'API latency p95']);
    expect(rows[1]!.bars.map((bar) => bar.id)).toEqual([2, 3]);
  });

  it('colours a bar by the worst severity the incident reached', () => {
    const escalated = incidentFixture({
      severity: 'degraded',
      events: [
        { kind: 'opened', severity: 'degraded', reasons: [], at: '2025-03-04T10:12:30Z' },
        { kind: 'escalated', severity: 'critical', reasons: [], at: '2025-03-04T10:15:00Z' },
        { kind: 'deescalated', severity: 'degraded', reasons: [], at: '2025-03-04T10:18:00Z' },
        { kind: 'resolved', severity: 'degraded', reasons: [], at: '2025-03-04T10:21:30Z' },
      ],
    });
    expect(worstSeverity(escalated)).toBe('critical');
    expect(toTimelineRows([escalated], week)[0]!.bars[0]!.severity).toBe('critical');
  });
});

describe('sortOpenIncidents', () => {
  it('puts critical before degraded, then the newest first, and drops resolved ones', () => {
    const oldCritical = openIncidentFixture({ id: 1, severity: 'critical', opened_at: '2025-03-04T08:00:00Z' });
    const newCritical = openIncidentFixture({ id: 2, severity: 'critical', opened_at: '2025-03-04T11:00:00Z' });
    const degraded = openIncidentFixture({ id: 3, opened_at: '2025-03-04T12:00:00Z' });
    const resolved = incidentFixture({ id: 4 });
    expect(sortOpenIncidents([degraded, oldCritical, resolved, newCritical]).map((i) => i.id)).toEqual([2, 1, 3]);
  });
});

describe('formatIncidentSpan', () => {
  it.each([
    ['same day', at('2025-03-04T03:12:00Z'), at('2025-03-04T03:40:00Z'), 'Tue 4 Mar 03:12–03:40'],
    ['across midnight', at('2025-03-03T23:50:00Z'), at('2025-03-04T00:20:00Z'), 'Mon 3 Mar 23:50 – Tue 4 Mar 00:20'],
    ['still open', at('2025-03-04T03:12:00Z'), null, 'since Tue 4 Mar 03:12'],
  ])('%s', (_name, openedAt, resolvedAt, expected) => {
    expect(formatIncidentSpan(openedAt, resolvedAt)).toBe(expected);
  });
});

describe('formatIncidentDuration', () => {
  it('says how long a resolved incident lasted, and "still open" for an open one', () => {
    expect(formatIncidentDuration(at('2025-03-04T03:12:00Z'), at('2025-03-04T03:40:00Z'))).toBe('28 min');
    expect(formatIncidentDuration(at('2025-03-04T03:12:00Z'), null)).toBe('still open');
  });
});

describe('dayTicks', () => {
  it('marks each midnight inside the window with its day', () => {
    const ticks = dayTicks(week);
    expect(ticks.map((tick) => tick.label)).toEqual(['Wed 26', 'Thu 27', 'Fri 28', 'Sat 1', 'Sun 2', 'Mon 3', 'Tue 4']);
    expect(ticks[0]!.leftPct).toBeCloseTo(pctOfWeek(at('2025-02-26T00:00:00Z') - week.from));
    expect(ticks.at(-1)!.leftPct).toBeCloseTo(pctOfWeek(at('2025-03-04T00:00:00Z') - week.from));
  });

  it('centres the label of each whole day, and leaves the day still under way unlabelled', () => {
    const ticks = dayTicks(week);
    expect(ticks[0]!.labelPct).toBeCloseTo(pctOfWeek(at('2025-02-26T12:00:00Z') - week.from));
    expect(ticks.at(-2)!.labelPct).toBeCloseTo(pctOfWeek(at('2025-03-03T12:00:00Z') - week.from));
    expect(ticks.at(-1)!.labelPct).toBeNull();
  });

  it('leaves out a midnight at the very start of the window', () => {
    const ticks = dayTicks({ from: at('2025-03-01T00:00:00Z'), to: at('2025-03-02T12:00:00Z') });
    expect(ticks.map((tick) => tick.label)).toEqual(['Sun 2']);
  });
});
