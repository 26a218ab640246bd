export interface CategoryBar {
  name: string;
  count: number;
  /** Bar length relative to the largest category, 0..1. */
  relative: number;
}

/** Categories largest first (ties by name) with bar lengths scaled to the largest. */
export function toCategoryBars(byCategory: Record<string, number>): CategoryBar[] {
  const entries = Object.entries(byCategory).filter(([, count]) => count > 0);
  const max = entries.reduce((m, [, count]) => Math.max(m, count), 0);
  return entries
    .sort(([a, ca], [b, cb]) => cb - ca || a.localeCompare(b))
    .map(([name, count]) => ({ name, count, relative: max > 0 ? count / max : 0 }));
}
