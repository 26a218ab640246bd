import { describe, expect, it } from 'vitest';
import { hasQualityData, toPieData, toQualitySlices } from './quality';

describe('toQualitySlices', () => {
  it('lists the four levels best first with their shares', () => {
    const slices = toQualitySlices({ excellent: 62.5, good: 25, fair: 10.4, poor: 2.1 });
    expect(slices.map((s) => [s.label, s.percent])).toEqual([
      ['Excellent', 62.5],
      ['Good', 25],
      ['Fair', 10.4],
      ['Poor', 2.1],
    ]);
    expect(new Set(slices.map((s) => s.color)).size).toBe(4);
  });

  it('treats negative or non-finite shares as 0', () => {
    const slices = toQualitySlices({ excellent: Number.NaN, good: -3, fair: 50, poor: 50 });
    expect(slices.map((s) => s.percent)).toEqual([0, 0, 50, 50]);
  });
});

describe('hasQualityData', () => {
  it('is false when every share is 0 (no sessions with quality data)', () => {
    expect(hasQualityData(toQualitySlices({ excellent: 0, good: 0, fair: 0, poor: 0 }))).toBe(false);
  });

  it('is true when any share is above 0', () => {
    expect(hasQualityData(toQualitySlices({ excellent: 0, good: 0, fair: 0, poor: 0.1 }))).toBe(true);
  });
});

describe('toPieData', () => {
  it('drops empty wedges and keeps the order', () => {
    const pie = toPieData(toQualitySlices({ excellent: 80, good: 0, fair: 20, poor: 0 }));
    expect(pie.map((s) => s.level)).toEqual(['excellent', 'fair']);
  });
});
