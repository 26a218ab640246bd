import { useEffect, type ReactNode } from 'react';
import { Redirect, usePathname } from '@/lib/router';
import { paths } from '@/config/paths';
import { MONITOR_ROLES } from '@/config/roles';
import { LoginPage } from '@/features/auth/components/login-page';
import { RequireRole } from '@/features/auth/components/require-role';
import { DashboardPage } from '@/features/dashboard/components/dashboard-page';
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
      return (
        <AdminLayout>
          <RequireRole allowed={MONITOR_ROLES}>
            <DashboardPage />
          </RequireRole>
        </AdminLayout>
      );
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
