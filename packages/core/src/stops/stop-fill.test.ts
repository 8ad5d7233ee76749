import { describe, expect, it } from 'vitest';
import { executedPositionRead, restAfterStop, stopFilled } from './stop-fill';

describe('stopFilled', () => {
  it('reads what the venue says the stop filled; a triggered stop that does not say filled all of it', () => {
    expect(stopFilled({ status: 'cancelled', qty: 1, filledQty: 0.4 })).toBe(0.4);
    expect(stopFilled({ status: 'triggered', qty: 1 })).toBe(1);
    expect(stopFilled({ status: 'cancelled', qty: 1 })).toBe(0);
    expect(stopFilled(undefined)).toBe(0);
  });
});

describe('restAfterStop', () => {
  it('leaves what the stop did not sell, in whole lots', () => {
    expect(restAfterStop(1, 0.4, 0.001)).toBe(0.6);
    expect(restAfterStop(9, 5, 0.01)).toBe(4);
  });

  it('leaves nothing when the stop sold all of it, or all but dust', () => {
    expect(restAfterStop(1, 1, 0.001)).toBe(0);
    expect(restAfterStop(1, 0.9995, 0.001)).toBe(0);
    expect(restAfterStop(1, 1.2, 0.001)).toBe(0);
  });
});

describe('executedPositionRead', () => {
  const step = 0.001;

  it('waits while the fill is not booked, or booked only in part', () => {
    expect(executedPositionRead({ qty: 1, keeps: 0 }, 0.4, false, step)).toEqual({ keeps: 0, booked: false });
    expect(executedPositionRead({ qty: 1.5, keeps: 0.5 }, 1.2, false, step)).toEqual({
      keeps: 0.5,
      booked: false,
    });
  });

  it('adds a growth read meanwhile to what the position keeps, not one of its own closes', () => {
    expect(executedPositionRead({ qty: 1, keeps: 0 }, 1.5, false, step)).toEqual({
      keeps: 0.5,
      booked: false,
    });
    expect(executedPositionRead({ qty: 1, keeps: 0 }, 1.5, true, step)).toEqual({ keeps: 0, booked: false });
  });

  it('says the fill is booked once the position is down to what it keeps, a lot or more', () => {
    expect(executedPositionRead({ qty: 1.5, keeps: 0.5 }, 0.5, false, step)).toEqual({
      keeps: 0.5,
      booked: true,
    });
    expect(executedPositionRead({ qty: 1.5, keeps: 0.5 }, 0.0004, false, step).booked).toBe(false);
  });
});
