import { useState } from 'react';
import { useSWRConfig } from 'swr';
import { LogOut } from 'lucide-react';
import { isApiError } from '@/lib/api-client';
import { navigate } from '@/lib/router';
import { paths } from '@/config/paths';
import { logout } from '../api/logout';

/** Signs out, forgets every cached response, and returns to /login. */
export function LogoutButton() {
  const { mutate } = useSWRConfig();
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
    navigate(paths.login, { replace: true });
    void mutate(() => true, undefined, { revalidate: false });
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
