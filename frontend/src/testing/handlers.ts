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

// The mocked backend remembers whether someone is signed in, as the admin_token cookie does:
// login signs in, logout signs out, and /me answers 401 while nobody is signed in.
let signedIn = true;

/** Sets whether the mocked backend has a signed-in admin; every test starts signed in. */
export function setSignedIn(value: boolean): void {
  signedIn = value;
}

/** The happy path: a signed-in SYSTEM_MONITOR and healthy answers from every endpoint. */
export const handlers = [
  http.post('*/api/admin/auth/login', () => {
    signedIn = true;
    return HttpResponse.json(sessionFixture());
  }),
  http.post('*/api/admin/auth/logout', () => {
    signedIn = false;
    return new HttpResponse(null, { status: 204 });
  }),
  http.get('*/api/admin/auth/me', () =>
    signedIn ? HttpResponse.json(sessionFixture()) : apiError(401, 'unauthorized', 'not signed in'),
  ),
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
