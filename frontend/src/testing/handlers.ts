import { http, HttpResponse } from 'msw';
import {
  currentMetricsFixture,
  errorTrendFixture,
  externalServicesFixture,
  incidentTimelineFixture,
  openIncidentsFixture,
  sessionFixture,
  sessionMetricsFixture,
} from './fixtures';

/** The happy path: a signed-in SYSTEM_MONITOR and healthy answers from every endpoint. */
export const handlers = [
  http.post('*/api/admin/auth/login', () => HttpResponse.json(sessionFixture())),
  http.post('*/api/admin/auth/logout', () => new HttpResponse(null, { status: 204 })),
  http.get('*/api/admin/auth/me', () => HttpResponse.json(sessionFixture())),
  http.get('*/api/admin/metrics/current', () => HttpResponse.json(currentMetricsFixture())),
  http.get('*/api/admin/metrics/sessions', () => HttpResponse.json(sessionMetricsFixture())),
  http.get('*/api/admin/metrics/errors', () => HttpResponse.json(errorTrendFixture())),
  http.get('*/api/admin/metrics/external-services', () => HttpResponse.json(externalServicesFixture())),
  http.get('*/api/admin/incidents', ({ request }) =>
    HttpResponse.json(
      new URL(request.url).searchParams.get('status') === 'open' ? openIncidentsFixture() : incidentTimelineFixture(),
    ),
  ),
];

/** An API error in the backend's shape. */
export function apiError(status: number, code: string, message: string) {
  return HttpResponse.json({ error: { code, message } }, { status });
}
