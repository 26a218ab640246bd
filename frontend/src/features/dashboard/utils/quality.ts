import type { Schema } from '@/types/schemas';

export type QualityDistribution = Schema<'SessionMetrics'>['connection_quality_distribution'];
export type QualityLevel = keyof QualityDistribution;

export interface QualitySlice {
  level: QualityLevel;
  label: string;
  /** Share of sessions, 0..100. */
  percent: number;
  color: string;
}

/** Label and colour per quality level; "unknown" is what /current reports with no recent reports. */
export const QUALITY_DISPLAY: Record<QualityLevel | 'unknown', { label: string; color: string }> = {
  excellent: { label: 'Excellent', color: '#15803d' },
  good: { label: 'Good', color: '#65a30d' },
  fair: { label: 'Fair', color: '#d97706' },
  poor: { label: 'Poor', color: '#b91c1c' },
  unknown: { label: 'Unknown', color: '#94a3b8' },
};

const LEVELS: readonly QualityLevel[] = ['excellent', 'good', 'fair', 'poor'];

/** The four quality levels, best first, each with its share; missing or invalid shares count as 0. */
export function toQualitySlices(distribution: QualityDistribution): QualitySlice[] {
  return LEVELS.map((level) => {
    const value = distribution[level];
    const { label, color } = QUALITY_DISPLAY[level];
    return { level, label, color, percent: Number.isFinite(value) && value > 0 ? value : 0 };
  });
}

/** The backend reports all zeros when no session has quality data yet. */
export function hasQualityData(slices: readonly QualitySlice[]): boolean {
  return slices.some((slice) => slice.percent > 0);
}

/** Slices worth drawing: a 0 % wedge is invisible and only clutters the tooltip. */
export function toPieData(slices: readonly QualitySlice[]): QualitySlice[] {
  return slices.filter((slice) => slice.percent > 0);
}
