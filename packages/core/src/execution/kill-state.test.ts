import { describe, expect, it } from 'vitest';
import { applyControl, type ControlCommand, KILL_RELEASED, KillState } from './kill-state';

const kill = (id: string, at: number): ControlCommand => ({
  kind: 'kill',
  id,
  at,
  kill: { flatten: true, reason: 'incident', requestedBy: 'op' },
});
const resume = (id: string, at: number): ControlCommand => ({ kind: 'resume', id, at });
const NOW = 1_700_000_009_000;

describe('applyControl', () => {
  it('engages on a kill, keeping the command and when it was given', () => {
    expect(applyControl(KILL_RELEASED, kill('k1', 1_000), NOW)).toEqual({
      applied: true,
      state: {
        engaged: true,
        flatten: true,
        reason: 'incident',
        requestedBy: 'op',
        since: NOW,
        commandId: 'k1',
        commandAt: 1_000,
      },
    });
  });

  it('releases on a resume given after the kill in force', () => {
    const killed = applyControl(KILL_RELEASED, kill('k1', 1_000), NOW).state;
    expect(applyControl(killed, resume('r1', 2_000), NOW)).toEqual({
      applied: true,
      state: { ...KILL_RELEASED, commandId: 'r1', commandAt: 2_000 },
    });
  });

  it('leaves the kill in force when a resume given before it arrives after it', () => {
    const killed = applyControl(KILL_RELEASED, kill('k2', 3_000), NOW).state;
    expect(applyControl(killed, resume('r1', 2_000), NOW)).toEqual({ applied: false, state: killed });
  });

  it('leaves the resume in force when a kill given before it arrives after it', () => {
    const resumed = applyControl(KILL_RELEASED, resume('r2', 3_000), NOW).state;
    expect(applyControl(resumed, kill('k1', 2_000), NOW)).toEqual({ applied: false, state: resumed });
  });

  it('applies the command in force again when it is redelivered', () => {
    const killed = applyControl(KILL_RELEASED, kill('k1', 1_000), NOW).state;
    expect(applyControl(killed, kill('k1', 1_000), NOW + 5)).toEqual({
      applied: true,
      state: { ...killed, since: NOW + 5 },
    });
  });

  it('keeps a kill over a resume given in the same millisecond, whichever arrives first', () => {
    const killed = applyControl(KILL_RELEASED, kill('0190-b', 1_000), NOW).state;
    expect(applyControl(killed, resume('0190-c', 1_000), NOW).applied).toBe(false);
    const resumed = applyControl(KILL_RELEASED, resume('0190-c', 1_000), NOW).state;
    expect(applyControl(resumed, kill('0190-b', 1_000), NOW).applied).toBe(true);
  });

  it('orders two kills given in the same millisecond by id', () => {
    const killed = applyControl(KILL_RELEASED, kill('0190-b', 1_000), NOW).state;
    expect(applyControl(killed, kill('0190-a', 1_000), NOW).applied).toBe(false);
    expect(applyControl(killed, kill('0190-c', 1_000), NOW).applied).toBe(true);
  });

  it('applies any command over a state stored before command times were kept', () => {
    const stored = KillState.parse({
      engaged: true,
      flatten: false,
      reason: 'old',
      requestedBy: 'op',
      since: 5_000,
      commandId: 'k0',
    });
    expect(stored.commandAt).toBeNull();
    expect(applyControl(stored, resume('r1', 1_000), NOW).applied).toBe(true);
  });
});
