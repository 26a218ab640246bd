import { ShieldX } from 'lucide-react';

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
        System monitoring is available to the <strong>System monitor</strong> and <strong>Super admin</strong> roles
        only.
        {email && role && (
          <>
            {' '}
            You are signed in as {email} ({role.toLowerCase().replace(/_/g, ' ')}).
          </>
        )}
      </p>
      <p>Ask a super admin for access, or log out and sign in with another account.</p>
    </section>
  );
}
