// Starts the dashboard's API requests while the app's code is still loading: on a cold load of
// /admin/dashboard they go out at once instead of after the JavaScript has been fetched, parsed
// and run. The incident timeline is not among them: its URL carries a `since` of the moment the
// app asks, which this script cannot know. The app takes each answer once, and only while it is
// starting: after its first render the answers left are dropped, never handed to a later request
// (src/lib/api-client.ts, takeEarlyResponse). The list is checked against the app's own in
// src/app/early-requests.test.tsx. Plain, framework-free and loaded `async` from index.html, so
// it delays nothing. An external file: the server's Content-Security-Policy allows no inline script.
(function () {
  if (window.location.pathname.replace(/\/+$/, '') !== '/admin/dashboard') return;
  var paths = [
    '/api/admin/auth/me',
    '/api/admin/metrics/current',
    '/api/admin/metrics/sessions',
    '/api/admin/metrics/errors',
    '/api/admin/metrics/external-services',
    '/api/admin/incidents?status=open',
  ];
  var early = {};
  paths.forEach(function (path) {
    early[path] = window.fetch(path, { credentials: 'include', headers: { Accept: 'application/json' } });
    // Not taken (the app went elsewhere), a failure is nobody's business.
    early[path].catch(function () {});
  });
  window.__pulseEarlyResponses = early;
})();
