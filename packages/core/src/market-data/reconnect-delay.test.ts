import { describe, expect, it } from 'vitest';
import { BackoffState, reconnectDelay } from './reconnect-delay';

const opts = { baseMs: 500, capMs: 30_000 };

describe('reconnectDelay', () => {
  it('draws uniformly below base·2^attempt', () => {
    expect(reconnectDelay(0, opts, 0.5)).toBe(250);
    expect(reconnectDelay(3, opts, 0.5)).toBe(2_000);
    expect(reconnectDelay(3, opts, 0)).toBe(0);
  });

  it('never exceeds the cap, even for huge attempt counts', () => {
    expect(reconnectDelay(10, opts, 0.999)).toBe(29_970);
    expect(reconnectDelay(10_000, opts, 1)).toBe(30_000);
  });
});

describe('BackoffState', () => {
  const stable = { ...opts, stableMs: 60_000 };

  it('grows the delay with each failed attempt', () => {
    const state = new BackoffState(stable, () => 1);
    expect([state.disconnected(0), state.disconnected(1), state.disconnected(2)]).toEqual([
      500, 1_000, 2_000,
    ]);
    expect(state.attempt).toBe(3);
  });

  it('starts over after a connection that stayed up for the stable period', () => {
    const state = new BackoffState(stable, () => 1);
    state.disconnected(0);
    state.disconnected(1);
    state.connected(10_000);
    expect(state.disconnected(70_000)).toBe(500);
  });

  it('keeps growing when connections drop before the stable period', () => {
    const state = new BackoffState(stable, () => 1);
    state.disconnected(0);
    state.connected(1_000);
    expect(state.disconnected(5_000)).toBe(1_000);
  });
});
