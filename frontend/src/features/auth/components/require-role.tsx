import type { ReactNode } from 'react';
import { isApiError } from '@/lib/api-client';
import { Redirect } from '@/lib/router';
import { paths } from '@/config/paths';
import { NotAuthorized } from '@/components/not-authorized';
import { PageStatus } from '@/components/page-status';
import { useSession, type AdminRole } from '../api/get-session';

interface RequireRoleProps {
  allowed: readonly AdminRole[];
  children: ReactNode;
}

/**
 * Renders children only for a signed-in admin with one of the allowed roles:
 * signed-out visitors go to /login, other roles get a "not authorized" page.
 */
export function RequireRole({ allowed, children }: RequireRoleProps) {
  const { data: session, error, mutate } = useSession();

  if (isApiError(error, 401)) return <Redirect to={paths.login} />;
  if (!session) {
    if (error) {
      return (
        <PageStatus
          title="Cannot check your session"
          message="The server did not answer. It may be restarting."
          action={
            <button type="button" className="button" onClick={() => void mutate()}>
              Try again
            </button>
          }
        />
      );
    }
    return <PageStatus title="Checking your session…" busy />;
  }
  if (!allowed.includes(session.admin.role)) {
    return <NotAuthorized email={session.admin.email} role={session.admin.role} />;
  }
  return children;
}
