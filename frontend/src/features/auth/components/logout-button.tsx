import { useState } from 'react';
import { LogOut } from 'lucide-react';
import { isApiError } from '@/lib/api-client';
import { logout } from '../api/logout';
import { useReturnToLogin } from '../hooks/use-return-to-login';

/** Signs out, forgets every cached response, and returns to /login. */
export function LogoutButton() {
  const returnToLogin = useReturnToLogin();
  const [failed, setFailed] = useState(false);
  const [pending, setPending] = useState(false);

  async function handleClick() {
    setPending(true);
    setFailed(false);
    try {
      await logout();
    } catch (error) {
      // Already signed out is as good as signing out; anything else means the cookie may live on.
      if (!isApiError(error, 401)) {
        setFailed(true);
        setPending(false);
        return;
      }
    }
    returnToLogin();
  }

  return (
    <>
      {failed && (
        <span role="alert" className="inline-error">
          Sign-out failed, try again
        </span>
      )}
      <button type="button" className="button button--quiet" onClick={handleClick} disabled={pending}>
        <LogOut aria-hidden="true" size={16} />
        Log out
      </button>
    </>
  );
}
