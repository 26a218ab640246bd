/** The app's routes. The Go server answers all of them with index.html (SPA fallback). */
export const paths = {
  root: '/',
  login: '/login',
  dashboard: '/admin/dashboard',
} as const;
