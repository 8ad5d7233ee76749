import { describe, expect, it } from 'vitest';
import { grownAfterSale, seenWhileSelling } from './take-profit-growth';

const start = { seen: null, grown: 0 };

describe('seenWhileSelling', () => {
  it("counts a fill that is not the position's own close as growth beside the sale", () => {
    // 10 held, TP1 sells 5: the opening's next slice fills (14), then the sale (9).
    const grown = seenWhileSelling(start, 10, { positionId: 'p1', qty: 14, intentId: 'i-open' });
    expect(grown).toEqual({ seen: 14, grown: 4 });
    const sold = seenWhileSelling(grown, 10, { positionId: 'p1', qty: 9, intentId: 'stops:p1:tp1:3' });
    expect(sold).toEqual({ seen: 9, grown: 4 });
  });

  it('counts growth from the size the sale left when its fill was told first', () => {
    const sold = seenWhileSelling(start, 10, { positionId: 'p1', qty: 5, intentId: 'stops:p1:tp1:3' });
    expect(seenWhileSelling(sold, 10, { positionId: 'p1', qty: 9, intentId: 'i-add' })).toEqual({
      seen: 9,
      grown: 4,
    });
  });
});

describe('grownAfterSale', () => {
  it('covers what was kept and what grew, and nothing more when nothing grew', () => {
    expect(grownAfterSale(5, 4)).toBe(9);
    expect(grownAfterSale(5, 0)).toBeNull();
    expect(grownAfterSale(5, -2)).toBeNull();
  });
});
