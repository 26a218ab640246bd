export type PoolLoad = 'normal' | 'high' | 'saturated';

export interface PoolUtilization {
  /** active / max, 0..1; null when the pool has no limit (max 0). */
  ratio: number | null;
  load: PoolLoad;
}

/** How full the database pool is. The backend reports max 0 for "unlimited". */
export function poolUtilization(active: number, max: number): PoolUtilization {
  if (max <= 0) return { ratio: null, load: 'normal' };
  const ratio = Math.min(1, Math.max(0, active / max));
  const load: PoolLoad = ratio >= 1 ? 'saturated' : ratio >= 0.8 ? 'high' : 'normal';
  return { ratio, load };
}
