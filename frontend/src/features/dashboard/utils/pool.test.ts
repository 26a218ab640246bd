import { describe, expect, it } from 'vitest';
import { poolHealthReasons, poolUtilization } from './pool';

describe('poolUtilization', () => {
  it.each([
    [5, 20, 0.25],
    [16, 20, 0.8],
    [20, 20, 1],
    [25, 20, 1],
  ] as const)('%i of %i in use → %s', (active, max, ratio) => {
    expect(poolUtilization(active, max)).toBe(ratio);
  });

  it('has no ratio when the pool is unlimited (max 0)', () => {
    expect(poolUtilization(7, 0)).toBeNull();
  });
});

describe('poolHealthReasons', () => {
  it("picks the server's reasons about the pool, as it wrote them", () => {
    expect(
      poolHealthReasons([
        'error rate 3.1% > 2.0%',
        'database pool saturated: 20 of 20 connections in use',
        'LiveKit degraded: Slow response',
      ]),
    ).toEqual(['database pool saturated: 20 of 20 connections in use']);
    expect(poolHealthReasons(['database pool: 4 waits for a connection in the last minute'])).toEqual([
      'database pool: 4 waits for a connection in the last minute',
    ]);
  });

  it('finds none when the server names no pool trouble ("database unreachable" is not about the pool)', () => {
    expect(poolHealthReasons([])).toEqual([]);
    expect(poolHealthReasons(['database unreachable'])).toEqual([]);
  });
});
