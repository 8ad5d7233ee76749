import { describe, expect, it } from 'vitest';
import { ClockError, VirtualClock } from './virtual-clock';

describe('VirtualClock', () => {
  it('starts at the given time and reports it', () => {
    expect(new VirtualClock(1_640_995_200_000).now()).toBe(1_640_995_200_000);
  });

  it('moves forward with set and advance', () => {
    const clock = new VirtualClock(1000);
    clock.set(5000);
    clock.advance(250);
    expect(clock.now()).toBe(5250);
  });

  it('allows setting the current time again', () => {
    const clock = new VirtualClock(1000);
    clock.set(1000);
    expect(clock.now()).toBe(1000);
  });

  it('refuses to go backwards with a typed error and keeps its time', () => {
    const clock = new VirtualClock(10_000);
    const attempt = () => clock.set(9_999);
    expect(attempt).toThrow(ClockError);
    try {
      attempt();
    } catch (err) {
      expect(err).toMatchObject({ reason: 'backwards', current: 10_000, requested: 9_999 });
    }
    expect(clock.now()).toBe(10_000);
  });

  it('refuses a negative advance as going backwards', () => {
    const clock = new VirtualClock(500);
    expect(() => clock.advance(-1)).toThrow(expect.objectContaining({ reason: 'backwards' }));
    expect(clock.now()).toBe(500);
  });

  it('refuses non-finite and negative times', () => {
    expect(() => new VirtualClock(-1)).toThrow(expect.objectContaining({ reason: 'invalid_time' }));
    const clock = new VirtualClock(0);
    expect(() => clock.set(Number.NaN)).toThrow(expect.objectContaining({ reason: 'invalid_time' }));
    expect(() => clock.advance(Number.POSITIVE_INFINITY)).toThrow(
      expect.objectContaining({ reason: 'invalid_time' }),
    );
  });
});
