import useSWR from 'swr';
import { apiClient, isApiError } from '@/lib/api-client';
import type { Schema } from '@/types/schemas';

export type Session = Schema<'LoginResponse'>;
export type AdminRole = Session['admin']['role'];

export const sessionKey = '/api/admin/auth/me';

/** Who is signed in, per the admin_token cookie; rejects with a 401 ApiError when nobody is. */
export function getSession(): Promise<Session> {
  return apiClient.get<Session>(sessionKey);
}

/** The signed-in admin, re-checked when the tab regains focus. */
export function useSession() {
  return useSWR<Session, unknown>(sessionKey, getSession, {
    // A 401 is an answer ("signed out"), not a failure worth retrying.
    shouldRetryOnError: (error) => !isApiError(error, 401),
  });
}
