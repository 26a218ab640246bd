import { apiClient } from '@/lib/api-client';
import type { Schema } from '@/types/schemas';

export type LoginRequest = Schema<'LoginRequest'>;
export type LoginResponse = Schema<'LoginResponse'>;

/** Signs in; the server sets the HttpOnly admin_token cookie. 401 = bad credentials, 429 = throttled. */
export function login(credentials: LoginRequest): Promise<LoginResponse> {
  return apiClient.post<LoginResponse>('/api/admin/auth/login', credentials, { expectUnauthorized: true });
}
