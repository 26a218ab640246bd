import { useCallback, useState } from 'react';

/**
 * Remembers when each endpoint last answered, so the page can say how fresh the numbers are
 * and since when they are stale. Pass `record` as an SWR onSuccess callback.
 */
export function useLastUpdated() {
  const [updatedAt, setUpdatedAt] = useState<Readonly<Record<string, number>>>({});
  const record = useCallback((_data: unknown, key: string) => {
    setUpdatedAt((previous) => ({ ...previous, [key]: Date.now() }));
  }, []);
  return { updatedAt, record };
}
