import { describe, expect, it } from 'vitest';
import { toCategoryBars } from './categories';

describe('toCategoryBars', () => {
  it('sorts largest first, ties by name, and scales to the largest', () => {
    expect(toCategoryBars({ Career: 10, Anxiety: 40, Grief: 10, Empty: 0 })).toEqual([
      { name: 'Anxiety', count: 40, relative: 1 },
      { name: 'Career', count: 10, relative: 0.25 },
      { name: 'Grief', count: 10, relative: 0.25 },
    ]);
  });

  it('is empty when there were no sessions', () => {
    expect(toCategoryBars({})).toEqual([]);
  });
});
