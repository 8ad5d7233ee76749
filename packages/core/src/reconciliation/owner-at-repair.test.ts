import { describe, expect, it } from 'vitest';
import { ownerAtRepair } from './owner-at-repair';

const trade = { venueOrderId: '42' };

describe('ownerAtRepair', () => {
  it('names the order recorded under the trade’s venue order id', () => {
    expect(ownerAtRepair(trade, [{ clientOrderId: 'bl-a', venueOrderId: '42' }])).toEqual({ owner: 'bl-a' });
  });

  it('names an order still sending that the venue names as the trade’s order', () => {
    expect(
      ownerAtRepair(trade, [
        { clientOrderId: 'bl-b', venueOrderId: null, seenVenueOrderId: '41' },
        { clientOrderId: 'bl-a', venueOrderId: null, seenVenueOrderId: '42' },
      ]),
    ).toEqual({ owner: 'bl-a' });
  });

  it('leaves the trade unresolved while an order still sending is unknown to the venue: it may be the trade’s', () => {
    expect(
      ownerAtRepair(trade, [{ clientOrderId: 'bl-a', venueOrderId: null, seenVenueOrderId: null }]),
    ).toEqual({
      unresolved: 'bl-a',
    });
  });

  it('files the trade as external only when every candidate is another venue order', () => {
    expect(
      ownerAtRepair(trade, [{ clientOrderId: 'bl-b', venueOrderId: null, seenVenueOrderId: '41' }]),
    ).toEqual({
      owner: null,
    });
    expect(ownerAtRepair(trade, [])).toEqual({ owner: null });
  });
});
