import { Fragment } from 'react';
import { ShieldX } from 'lucide-react';
import { MONITOR_ROLES, roleName } from '@/config/roles';

interface NotAuthorizedProps {
  email?: string;
  role?: string;
}

/** Shown to a signed-in admin whose role may not see system monitoring (the API answers 403). */
export function NotAuthorized({ email, role }: NotAuthorizedProps) {
  return (
    <section className="page-status" aria-labelledby="not-authorized-title">
      <ShieldX aria-hidden="true" size={40} className="page-status__icon page-status__icon--critical" />
      <h1 id="not-authorized-title">Not authorized</h1>
      <p>
        System monitoring is available to the <RoleList roles={MONITOR_ROLES} />{' '}
        {MONITOR_ROLES.length === 1 ? 'role' : 'roles'} only.
        {email && role && (
          <>
            {' '}
            You are signed in as {email} ({roleName(role).toLowerCase()}).
          </>
        )}
      </p>
      <p>Ask a super admin for access, or log out and sign in with another account.</p>
    </section>
  );
}

/** "A", "A and B", "A, B and C", each name in bold. */
function RoleList({ roles }: { roles: readonly string[] }) {
  return roles.map((role, index) => (
    <Fragment key={role}>
      {index > 0 && (index === roles.length - 1 ? ' and ' : ', ')}
      <strong>{roleName(role)}</strong>
    </Fragment>
  ));
}
