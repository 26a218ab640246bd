import { apiClient } from '@/lib/api-client';

/**
 * Ends the session; the server clears the admin_token cookie and answers 204. The empty JSON
 * body is what makes it a JSON request: the server refuses any other type (415), so that a page
 * on another site cannot sign the admin out with a plain form.
 */
export function logout(): Promise<void> {
  return apiClient.post<void>('/api/admin/auth/logout', {}, { expectUnauthorized: true });
}
