import type { ExternalServices } from '@/features/dashboard/api/get-external-services';
import type { Schema } from '@/types/schemas';

// Realistic API answers, typed by the generated schema so a renamed field breaks the tests too.

export const NOW = new Date('2025-03-04T12:34:56Z');

export function sessionFixture(role: Schema<'AdminView'>['role'] = 'SYSTEM_MONITOR'): Schema<'LoginResponse'> {
  return {
    admin: { email: 'monitor@example.com', role },
    expires_at: '2025-03-05T00:00:00Z',
  };
}

export function currentMetricsFixture(overrides: Partial<Schema<'CurrentMetrics'>> = {}): Schema<'CurrentMetrics'> {
  return {
    active_sessions_count: 42,
    abandoned_sessions_last_24h: 3,
    avg_connection_quality: 'good',
    avg_connection_score: 3.12,
    error_rate_last_hour: 0.031,
    api_response_time_p95: 245.7,
    requests_last_hour: 12840,
    db_pool_active: 6,
    db_pool_idle: 4,
    db_pool_size: 20,
    db_pool_wait_count: 17,
    db_pool_wait_duration_ms: 1250,
    db_pool_waits_last_minute: 2,
    system_health: 'degraded',
    health_reasons: ['Error rate 3.1% is above the degraded threshold of 2%'],
    generated_at: NOW.toISOString(),
    ...overrides,
  };
}

export function sessionMetricsFixture(overrides: Partial<Schema<'SessionMetrics'>> = {}): Schema<'SessionMetrics'> {
  return {
    total_sessions: 130,
    sessions_by_category: { Anxiety: 70, 'Career guidance': 40, Grief: 20 },
    connection_quality_distribution: { excellent: 55.4, good: 30, fair: 10.1, poor: 4.5 },
    window_days: 30,
    ...overrides,
  };
}

/** 24 hourly points ending at the hour before NOW; hours 20 and 23 (0-based) crossed thresholds. */
export function errorTrendFixture(overrides: Partial<Schema<'ErrorTrend'>> = {}): Schema<'ErrorTrend'> {
  const start = Date.parse('2025-03-03T12:00:00Z');
  const points = Array.from({ length: 24 }, (_, i) => {
    const requests = 500 + i * 10;
    const rate = i === 20 ? 0.03 : i === 23 ? 0.072 : 0.004;
    return {
      hour: new Date(start + i * 3_600_000).toISOString(),
      requests,
      errors: Math.round(requests * rate),
      error_rate: rate,
      p95_ms: 200 + i,
    };
  });
  return {
    thresholds: { degraded: 0.02, critical: 0.05 },
    points,
    alerts: [
      { hour: points[20]!.hour, level: 'degraded', error_rate: 0.03 },
      { hour: points[23]!.hour, level: 'critical', error_rate: 0.072 },
    ],
    ...overrides,
  };
}

export function externalServicesFixture(): ExternalServices {
  return {
    services: [
      {
        id: 'daily_co',
        name: 'Daily.co',
        status: 'operational',
        latency_ms: 132,
        checked_at: '2025-03-04T12:34:10Z',
        detail: 'HTTP 200 from /v1/',
        uptime_24h: 0.9995,
        declared: {
          indicator: 'none',
          description: 'All Systems Operational',
          incident: null,
          incident_impact: null,
          maintenance: { name: 'Database upgrade', status: 'scheduled', scheduled_for: '2025-03-06T06:00:00Z' },
          checked_at: '2025-03-04T12:34:10Z',
        },
        live_rooms: { provider: 16, pulse: 16 },
        demo: false,
      },
      {
        id: 'livekit',
        name: 'LiveKit',
        status: 'degraded',
        latency_ms: 1840,
        checked_at: '2025-03-04T12:34:12Z',
        detail: 'Slow response (1840 ms > 1000 ms)',
        uptime_24h: 0.982,
        declared: {
          indicator: 'major',
          description: 'Partial System Outage',
          incident: 'Elevated connection failures in US West',
          incident_impact: 'major',
          maintenance: null,
          checked_at: '2025-03-04T12:34:12Z',
        },
        live_rooms: { provider: 12, pulse: 9 },
        demo: false,
      },
      {
        id: 'beyond_presence',
        name: 'Beyond Presence',
        status: 'unconfigured',
        latency_ms: null,
        checked_at: null,
        detail: 'BEYOND_PRESENCE_API_KEY is not set',
        uptime_24h: null,
        declared: null,
        live_rooms: { provider: null, pulse: 0 },
        demo: false,
      },
    ],
  };
}

type Incident = Schema<'Incident'>;

/** A resolved LiveKit outage of 9 minutes, 2 hours before NOW, notified to Slack; change it with `overrides`. */
export function incidentFixture(overrides: Partial<Incident> = {}): Incident {
  const openedAt = overrides.opened_at ?? '2025-03-04T10:12:30Z';
  const resolvedAt = overrides.resolved_at === undefined ? '2025-03-04T10:21:30Z' : overrides.resolved_at;
  const severity = overrides.severity ?? 'critical';
  return {
    id: 42,
    rule: 'provider:livekit',
    rule_name: 'LiveKit API',
    severity,
    status: resolvedAt === null ? 'open' : 'resolved',
    summary: 'LiveKit API: LiveKit down: HTTP 503',
    reasons: ['LiveKit down: HTTP 503'],
    opened_at: openedAt,
    resolved_at: resolvedAt,
    duration_seconds: resolvedAt === null ? null : (Date.parse(resolvedAt) - Date.parse(openedAt)) / 1000,
    silenced: false,
    notifications: [
      {
        channel: 'slack',
        event: 'opened',
        status: 'delivered',
        attempts: 1,
        last_error: null,
        delivered_at: openedAt,
        created_at: openedAt,
      },
    ],
    events: [
      { kind: 'opened', severity, reasons: ['LiveKit down: HTTP 503'], at: openedAt },
      ...(resolvedAt === null ? [] : [{ kind: 'resolved' as const, severity, reasons: [], at: resolvedAt }]),
    ],
    ...overrides,
  };
}

/** Open now: the p95 latency degraded since 12:04:56 (30 min before NOW), silenced for maintenance. */
export function openIncidentFixture(overrides: Partial<Incident> = {}): Incident {
  return incidentFixture({
    id: 57,
    rule: 'p95',
    rule_name: 'API latency p95',
    severity: 'degraded',
    summary: 'API latency p95: p95 latency 1450 ms is above the degraded threshold of 1000 ms',
    reasons: ['p95 latency 1450 ms is above the degraded threshold of 1000 ms'],
    opened_at: '2025-03-04T12:04:56Z',
    resolved_at: null,
    silenced: true,
    notifications: [],
    ...overrides,
  });
}

/** GET /api/admin/incidents?status=open */
export function openIncidentsFixture(incidents: Incident[] = [openIncidentFixture()]): Schema<'IncidentList'> {
  return { incidents };
}

/** GET /api/admin/incidents?since=…: the open incident, the LiveKit outage, and a database outage 3 days ago. */
export function incidentTimelineFixture(
  incidents: Incident[] = [
    openIncidentFixture(),
    incidentFixture(),
    incidentFixture({
      id: 12,
      rule: 'database',
      rule_name: 'Database',
      summary: 'Database: database unreachable',
      reasons: ['database unreachable'],
      opened_at: '2025-03-01T07:00:00Z',
      resolved_at: '2025-03-01T08:30:00Z',
    }),
  ],
): Schema<'IncidentList'> {
  return { incidents };
}
