/** How full the database pool is: active / max in 0..1, or null when it has no limit (the backend reports max 0). */
export function poolUtilization(active: number, max: number): number | null {
  if (max <= 0) return null;
  return Math.min(1, Math.max(0, active / max));
}

// The backend's health verdict names pool trouble in reasons that start with these words
// ("database pool saturated: 20 of 20 connections in use", "database pool: 4 waits for a
// connection in the last minute"). It owns the thresholds; the dashboard only repeats its word.
const POOL_REASON_PREFIX = 'database pool';

/** The server's health reasons about the database pool; empty when it sees no trouble there. */
export function poolHealthReasons(reasons: readonly string[]): string[] {
  return reasons.filter((reason) => reason.toLowerCase().startsWith(POOL_REASON_PREFIX));
}
