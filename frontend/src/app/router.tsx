import { useEffect, useLayoutEffect, useState, type ReactNode } from 'react';
import { forgetEarlyResponses } from '@/lib/api-client';
import { Redirect, usePathname } from '@/lib/router';
import { paths } from '@/config/paths';
import { MONITOR_ROLES } from '@/config/roles';
import { LoginPage } from '@/features/auth/components/login-page';
import { RequireRole } from '@/features/auth/components/require-role';
import { useSession } from '@/features/auth/api/get-session';
import { forgetPrefetched } from '@/features/dashboard/api/prefetch';
import { prefetchDashboardMetrics } from '@/features/dashboard/api/prefetch-dashboard';
import { DashboardPage } from '@/features/dashboard/components/dashboard-page';
import { preloadCharts } from '@/features/dashboard/components/lazy-charts';
import { AdminLayout } from './layout';
import { RouteFocus } from './route-focus';

const titles: Record<string, string> = {
  [paths.login]: 'Sign in · Pulse',
  [paths.dashboard]: 'System monitoring · Pulse',
};

/** Picks the page for the current path (history routing, base "/"). */
export function AppRouter() {
  const pathname = usePathname();
  const path = pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname;
  const title = titles[path] ?? (path === paths.root ? 'Pulse' : 'Page not found · Pulse');

  useEffect(() => {
    document.title = title;
  }, [title]);

  // After the first commit (every layout effect, /auth/me's and the dashboard's prefetch, has
  // run) the app has taken the early responses it needs: any left over would be stale later.
  useEffect(forgetEarlyResponses, []);

  return (
    <>
      {page(path, pathname)}
      <RouteFocus path={path} title={title} />
    </>
  );
}

function page(path: string, pathname: string): ReactNode {
  switch (path) {
    case paths.root:
      return <Redirect to={paths.dashboard} />;
    case paths.login:
      return <LoginPage />;
    case paths.dashboard:
      return <DashboardRoute />;
    default:
      return (
        <AdminLayout>
          <section className="page-status">
            <h1>Page not found</h1>
            <p>There is nothing at {pathname}.</p>
            <a href={paths.dashboard}>Go to the dashboard</a>
          </section>
        </AdminLayout>
      );
  }
}

/**
 * The dashboard behind its role check. On a cold load the metrics and the chart code are
 * asked for while /auth/me is still on its way, not one round trip after it; for a role
 * without access the API refuses them and the page never shows the answers.
 */
function DashboardRoute() {
  const { data: session } = useSession();
  // Known already (signed in a moment ago): the page mounts now and asks for itself.
  const [sessionUnknown] = useState(session === undefined);
  useLayoutEffect(() => {
    void preloadCharts().catch(() => undefined);
    if (!sessionUnknown) return;
    prefetchDashboardMetrics();
    return forgetPrefetched;
  }, [sessionUnknown]);

  return (
    <AdminLayout>
      <RequireRole allowed={MONITOR_ROLES}>
        <DashboardPage />
      </RequireRole>
    </AdminLayout>
  );
}
