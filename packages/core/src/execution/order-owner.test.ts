import { derivedId } from '@ballast/contracts';
import { describe, expect, it } from 'vitest';
import { clientOrderId } from './client-order-id';
import { orderOwner, stopOrderId } from './order-owner';

describe('whose order a client order id names', () => {
  it("reads a protective stop, as the stops service's place() names it, as the stops service's", () => {
    expect(orderOwner(`bl-s${derivedId('binance:BTC-USDT:long', 3)}`, 'bl-')).toBe('stops');
  });

  it("reads the orders service's slices and the closes it sends for the stops service as its own", () => {
    expect(orderOwner(clientOrderId('bl-', 'intent-1', 0), 'bl-')).toBe('orders');
    expect(orderOwner(clientOrderId('bl-', 'intent-1', 4), 'bl-')).toBe('orders');
    // The stops service's close: `<prefix>x<derived id>`, sent by the orders service.
    expect(orderOwner(`bl-x${derivedId('stops:pos-1:trigger')}`, 'bl-')).toBe('orders');
    // An operator's command under its own id.
    expect(orderOwner('bl-resting-1', 'bl-')).toBe('orders');
  });

  it('reads an id that only starts like a stop (not a derived id after the mark) as the orders service’s', () => {
    expect(orderOwner('bl-sell-1', 'bl-')).toBe('orders');
    expect(orderOwner(`bl-s${derivedId('x').toUpperCase()}`, 'bl-')).toBe('orders');
  });

  it('reads an order not under the prefix (placed by hand, another program) as no service’s', () => {
    expect(orderOwner('web_8f2c1d', 'bl-')).toBe('other');
    expect(orderOwner(`s${derivedId('pos', 1)}`, 'bl-')).toBe('other');
  });

  it('with an empty prefix, still tells a stop from the rest', () => {
    expect(orderOwner(`s${derivedId('pos', 1)}`, '')).toBe('stops');
    expect(orderOwner(derivedId('intent', 0), '')).toBe('orders');
  });
});

describe('stopOrderId', () => {
  it('names a protective stop as orderOwner reads it: the stops service’s, under the prefix', () => {
    const id = stopOrderId('bl-', 'binance:BTC-USDT', 3);
    expect(id).toMatch(/^bl-s[0-9a-f]{16}$/);
    expect(orderOwner(id, 'bl-')).toBe('stops');
    expect(stopOrderId('bl-', 'binance:BTC-USDT', 4)).not.toBe(id);
  });
});
