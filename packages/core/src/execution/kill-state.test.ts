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
        lastKillId: 'k1',
      },
    });
  });

  it('releases on a resume given after the kill in force', () => {
    const killed = applyControl(KILL_RELEASED, kill('k1', 1_000), NOW).state;
    expect(applyControl(killed, resume('r1', 2_000), NOW)).toEqual({
      applied: true,
      state: { ...KILL_RELEASED, commandId: 'r1', commandAt: 2_000, lastKillId: 'k1' },
    });
  });

  it('leaves the kill in force when a resume given before it arrives after it', () => {
    const killed = applyControl(KILL_RELEASED, kill('k2', 3_000), NOW).state;
    expect(applyControl(killed, resume('r1', 2_000), NOW)).toEqual({ applied: false, state: killed });
  });

  it('engages on any kill after a resume, whatever its time, but the kill that resume lifted', () => {
    const killed = applyControl(KILL_RELEASED, kill('k1', 2_000), NOW).state;
    const resumed = applyControl(killed, resume('r2', 3_000), NOW).state;
    // k1 delivered again after the resume that lifted it: old.
    expect(applyControl(resumed, kill('k1', 2_000), NOW)).toEqual({ applied: false, state: resumed });
    // Another kill stamped before the resume (a clock behind, a delivery late) still stops everything.
    expect(applyControl(resumed, kill('k0', 1_000), NOW).state.engaged).toBe(true);
  });

  it('never lets a resume stamped by a clock running ahead keep a later kill from engaging', () => {
    const ahead = applyControl(KILL_RELEASED, resume('r-fast', NOW + 300_000), NOW).state;
    expect(ahead.commandAt).toBe(NOW);
    const killed = applyControl(ahead, kill('k1', NOW + 1_000), NOW + 1_000);
    expect(killed.state).toMatchObject({ engaged: true, commandId: 'k1', commandAt: NOW + 1_000 });
    // A kill stamped ahead counts as given when applied: a resume sent right after it lifts it.
    const fastKill = applyControl(KILL_RELEASED, kill('k-fast', NOW + 300_000), NOW).state;
    expect(applyControl(fastKill, resume('r1', NOW + 2_000), NOW + 2_000).applied).toBe(true);
  });

  it('keeps the later kill in force when an earlier kill and the resume that lifted it arrive after it', () => {
    const killed = applyControl(KILL_RELEASED, kill('k3', 3_000), NOW).state;
    // k1 (given at 1,000) and r2 (at 2,000, which lifted k1) delivered late, after k3.
    // k1 is carried out (a flatten it asked for), and k3 stays the command in force.
    const late = applyControl(killed, kill('k1', 1_000), NOW + 5);
    expect(late).toEqual({ applied: true, state: killed });
    expect(applyControl(late.state, resume('r2', 2_000), NOW)).toEqual({ applied: false, state: killed });
    // A resume given after both lifts it.
    expect(applyControl(late.state, resume('r4', 4_000), NOW).state.engaged).toBe(false);
  });

  it('applies the command in force again when it is redelivered', () => {
    const killed = applyControl(KILL_RELEASED, kill('k1', 1_000), NOW).state;
    // Still engaged since its first application.
    expect(applyControl(killed, kill('k1', 1_000), NOW + 5)).toEqual({ applied: true, state: killed });
  });

  it('keeps a kill over a resume given in the same millisecond, whichever arrives first', () => {
    const killed = applyControl(KILL_RELEASED, kill('0190-b', 1_000), NOW).state;
    expect(applyControl(killed, resume('0190-c', 1_000), NOW).applied).toBe(false);
    const resumed = applyControl(KILL_RELEASED, resume('0190-c', 1_000), NOW).state;
    expect(applyControl(resumed, kill('0190-b', 1_000), NOW).applied).toBe(true);
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
