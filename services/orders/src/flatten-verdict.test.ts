import { describe, expect, it } from 'vitest';
import { withOrdersInFlight } from './flatten-verdict';

describe('withOrdersInFlight', () => {
  const flat = { text: 'flat (venue BTC 0)', flat: true };

  it('keeps the verdict of a market with no order sending', () => {
    expect(withOrdersInFlight(flat, [])).toEqual(flat);
  });

  it('says NOT flat, naming the orders, when a flat market or one without a verdict has orders sending', () => {
    expect(withOrdersInFlight(flat, ['bl-a'])).toEqual({
      text: 'NOT flat: 1 order of ours may still land (sending: bl-a)',
      flat: false,
    });
    expect(withOrdersInFlight(undefined, ['bl-a', 'bl-b'])).toEqual({
      text: 'NOT flat: 2 orders of ours may still land (sending: bl-a bl-b)',
      flat: false,
    });
  });

  it('adds the orders sending to a verdict already NOT flat', () => {
    const held = { text: 'NOT flat: the venue still holds 0.005 (0.005 tradable) BTC', flat: false };
    expect(withOrdersInFlight(held, ['bl-a'])).toEqual({
      text: 'NOT flat: the venue still holds 0.005 (0.005 tradable) BTC; 1 order of ours may still land (sending: bl-a)',
      flat: false,
    });
  });
});
