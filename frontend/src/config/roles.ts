import type { Schema } from '@/types/schemas';

type AdminRole = Schema<'AdminView'>['role'];

/** Roles that may see system monitoring; the API enforces the same rule with 403. */
export const MONITOR_ROLES: readonly AdminRole[] = ['SYSTEM_MONITOR', 'SUPER_ADMIN'];

/** A role as people say it: "SYSTEM_MONITOR" → "System monitor". */
export function roleName(role: string): string {
  const words = role.toLowerCase().replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}
