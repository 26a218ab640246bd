import { useEffect, type ReactNode } from 'react';
import { SWRConfig } from 'swr';
import { setUnauthorizedHandler } from '@/lib/api-client';
import { useReturnToLogin } from '@/features/auth/hooks/use-return-to-login';
import { ErrorBoundary } from '@/components/error-boundary';
import { PageStatus } from '@/components/page-status';

// A cache per mounted app: nothing survives a logout in memory, and every test starts empty.
const newCache = () => new Map();

/** SWR cache, the "session expired → /login" rule, and a last-resort error page. */
export function AppProvider({ children }: { children: ReactNode }) {
  return (
    <SWRConfig value={{ provider: newCache }}>
      <ReturnToLoginOnUnauthorized />
      <ErrorBoundary
        fallback={
          <PageStatus
            title="Something went wrong"
            message="The page hit an unexpected error."
            action={
              <button type="button" className="button" onClick={() => window.location.reload()}>
                Reload
              </button>
            }
          />
        }
      >
        {children}
      </ErrorBoundary>
    </SWRConfig>
  );
}

/** Any 401 from the API (an expired or revoked session, even mid-polling) returns to /login. */
function ReturnToLoginOnUnauthorized() {
  const returnToLogin = useReturnToLogin();
  useEffect(() => setUnauthorizedHandler(returnToLogin), [returnToLogin]);
  return null;
}
