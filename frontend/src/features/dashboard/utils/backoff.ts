/**
 * Delay before retry number `retryCount` (1-based): base, 2×base, 4×base… capped at max,
 * so a failing backend is asked less and less often but never forgotten.
 */
export function retryDelayMs(retryCount: number, baseMs: number, maxMs: number): number {
  const exponent = Math.max(0, retryCount - 1);
  return Math.min(maxMs, baseMs * 2 ** Math.min(exponent, 30));
}
