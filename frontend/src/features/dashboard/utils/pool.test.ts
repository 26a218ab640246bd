import { describe, expect, it } from 'vitest';
import { poolUtilization } from './pool';

describe('poolUtilization', () => {
  it.each([
    [5, 20, 0.25, 'normal'],
    [16, 20, 0.8, 'high'],
    [20, 20, 1, 'saturated'],
    [25, 20, 1, 'saturated'],
  ] as const)('%i of %i → %s (%s)', (active, max, ratio, load) => {
    expect(poolUtilization(active, max)).toEqual({ ratio, load });
  });

  it('has no ratio when the pool is unlimited (max 0)', () => {
    expect(poolUtilization(7, 0)).toEqual({ ratio: null, load: 'normal' });
  });
});
