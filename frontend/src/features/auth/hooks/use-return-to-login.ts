import { useCallback } from 'react';
import { useSWRConfig } from 'swr';
import { navigate } from '@/lib/router';
import { paths } from '@/config/paths';

/**
 * Leaves for /login and forgets every cached response, so nothing of the old session stays
 * in memory. For a sign-out and for a session that expired (any 401).
 */
export function useReturnToLogin(): () => void {
  const { mutate } = useSWRConfig();
  return useCallback(() => {
    navigate(paths.login, { replace: true });
    void mutate(() => true, undefined, { revalidate: false });
  }, [mutate]);
}
