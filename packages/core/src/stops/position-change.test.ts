import { describe, expect, it } from 'vitest';
import { type FollowedPosition, positionChange } from './position-change';

const held: FollowedPosition = { positionId: 'p1', qty: 1, closing: null, takeProfit: null };

describe('positionChange', () => {
  it('follows a shrunk or grown position', () => {
    expect(positionChange(held, 0.5, null)).toBe('shrunk');
    expect(positionChange(held, 1.5, 'i-add')).toBe('grown');
  });

  it('ignores an unchanged size', () => {
    expect(positionChange(held, 1 + 1e-13, null)).toBe('ignored');
  });

  it('sizes a partly filled close, and gives up on dust below a lot', () => {
    const closing = { ...held, closing: { sentAt: 0 } };
    expect(positionChange(closing, 0.4, null)).toBe('closing');
    expect(positionChange(closing, 0, null)).toBe('below_lot');
  });

  it('ignores the part a take-profit sells, but follows what falls below what it keeps', () => {
    const selling = { ...held, takeProfit: { keep: 0.5 } };
    expect(positionChange(selling, 0.8, null)).toBe('ignored');
    expect(positionChange(selling, 0.5, null)).toBe('shrunk');
  });

  it("ignores a growth named by one of the position's own closes, not a shrink", () => {
    expect(positionChange(held, 1.5, 'stops:p1:tp1:3')).toBe('ignored');
    expect(positionChange(held, 0.5, 'stops:p1:tp1:3')).toBe('shrunk');
  });

  it('follows a growth an own close names past the size before its sale', () => {
    const sold = { ...held, soldFrom: 1.4 };
    expect(positionChange(sold, 1.4, 'stops:p1:tp1:3')).toBe('ignored');
    expect(positionChange(sold, 1.5, 'stops:p1:tp1:3')).toBe('grown');
  });
});
