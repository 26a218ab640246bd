import { apiClient } from '@/lib/api-client';

/** Ends the session; the server clears the admin_token cookie and answers 204. */
export function logout(): Promise<void> {
  return apiClient.post<void>('/api/admin/auth/logout', undefined, { expectUnauthorized: true });
}
