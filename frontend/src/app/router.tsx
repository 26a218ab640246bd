import { useEffect } from 'react';
import { Redirect, usePathname } from '@/lib/router';
import { paths } from '@/config/paths';
import { LoginPage } from '@/features/auth/components/login-page';
import { RequireRole } from '@/features/auth/components/require-role';
import type { AdminRole } from '@/features/auth/api/get-session';
import { DashboardPage } from '@/features/dashboard/components/dashboard-page';
import { AdminLayout } from './layout';

/** Roles that may see system monitoring; the API enforces the same rule with 403. */
const MONITOR_ROLES: readonly AdminRole[] = ['SYSTEM_MONITOR', 'SUPER_ADMIN'];

const titles: Record<string, string> = {
  [paths.login]: 'Sign in · Pulse',
  [paths.dashboard]: 'System monitoring · Pulse',
};

/** Picks the page for the current path (history routing, base "/"). */
export function AppRouter() {
  const pathname = usePathname();
  const path = pathname.length > 1 ? pathname.replace(/\/+$/, '') : pathname;

  useEffect(() => {
    document.title = titles[path] ?? 'Pulse';
  }, [path]);

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
