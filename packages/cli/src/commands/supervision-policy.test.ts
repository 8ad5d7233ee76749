import { describe, expect, it } from 'vitest';
import {
  type BackoffPolicy,
  type ChildState,
  INITIAL_CHILD_STATE,
  nextChildState,
  restartDelayMs,
} from './supervision-policy';

const policy: BackoffPolicy = { baseMs: 500, capMs: 30_000, factor: 2, jitter: 0.2, stableMs: 60_000 };
const noJitter: BackoffPolicy = { ...policy, jitter: 0 };

const running = (at: number, failures = 0): ChildState =>
  nextChildState({ ...INITIAL_CHILD_STATE, failures }, { type: 'spawned', at }, policy, 0.5).state;
const exit = (at: number, code: number | null = 1, signal: string | null = null) =>
  ({ type: 'exited', exit: { code, signal, at } }) as const;

describe('restartDelayMs', () => {
  it('doubles from the base and stops at the cap', () => {
    expect([1, 2, 3, 4, 7, 8, 20].map((n) => restartDelayMs(noJitter, n, 0.5))).toEqual([
      500, 1000, 2000, 4000, 30_000, 30_000, 30_000,
    ]);
  });

  it('spreads by ±jitter around the delay, never above the cap', () => {
    expect(restartDelayMs(policy, 2, 0)).toBe(800);
    expect(restartDelayMs(policy, 2, 0.5)).toBe(1000);
    expect(restartDelayMs(policy, 2, 0.999_999)).toBe(1200);
    expect(restartDelayMs(policy, 10, 0.999_999)).toBe(30_000);
  });
});

describe('nextChildState', () => {
  it('schedules a restart after a crash, with the backoff of the first failure', () => {
    const t = nextChildState(running(1_000), exit(2_000), noJitter, 0.5);
    expect(t.action).toEqual({ kind: 'schedule-retry', delayMs: 500 });
    expect(t.state).toMatchObject({ phase: 'backoff', failures: 1, retryAt: 2_500, startedAt: null });
    expect(t.state.lastExit).toEqual({ code: 1, signal: null, at: 2_000 });
  });

  it('grows the delay while the child keeps failing quickly', () => {
    const t = nextChildState(running(10_000, 3), exit(11_000), noJitter, 0.5);
    expect(t.action).toEqual({ kind: 'schedule-retry', delayMs: 4_000 });
    expect(t.state.failures).toBe(4);
  });

  it('starts the backoff again after a child that ran longer than stableMs', () => {
    const t = nextChildState(running(0, 5), exit(60_000), noJitter, 0.5);
    expect(t.action).toEqual({ kind: 'schedule-retry', delayMs: 500 });
    expect(t.state.failures).toBe(1);
  });

  it('respawns when the retry is due and counts the restart', () => {
    const backoff = nextChildState(running(0), exit(10), policy, 0.5).state;
    const t = nextChildState(backoff, { type: 'retry-due', at: 600 }, policy, 0.5);
    expect(t.action).toEqual({ kind: 'spawn' });
    expect(t.state.restarts).toBe(1);
    expect(nextChildState(t.state, { type: 'spawned', at: 601 }, policy, 0.5).state).toMatchObject({
      phase: 'running',
      startedAt: 601,
      retryAt: null,
    });
  });

  it('does not restart a child that exited with a configuration error (78)', () => {
    const t = nextChildState(running(0), exit(5, 78), policy, 0.5);
    expect(t.action).toEqual({ kind: 'none' });
    expect(t.state.phase).toBe('failed');
  });

  it('terminates a running child on stop and records it stopped when it exits', () => {
    const stop = nextChildState(running(0), { type: 'stop-requested', at: 5 }, policy, 0.5);
    expect(stop.action).toEqual({ kind: 'terminate' });
    expect(stop.state.phase).toBe('stopping');
    const ended = nextChildState(stop.state, exit(6, null, 'SIGTERM'), policy, 0.5);
    expect(ended.action).toEqual({ kind: 'none' });
    expect(ended.state.phase).toBe('stopped');
  });

  it('cancels a pending restart on stop, and ignores a retry that fires afterwards', () => {
    const backoff = nextChildState(running(0), exit(10), policy, 0.5).state;
    const stop = nextChildState(backoff, { type: 'stop-requested', at: 20 }, policy, 0.5);
    expect(stop.action).toEqual({ kind: 'cancel-retry' });
    expect(stop.state).toMatchObject({ phase: 'stopped', retryAt: null });
    expect(nextChildState(stop.state, { type: 'retry-due', at: 600 }, policy, 0.5).action).toEqual({
      kind: 'none',
    });
  });
});
