import { VirtualClock } from '@ballast/core';
import { describe, expect, it } from 'vitest';
import { OperatorView } from './operator-view';

const T = 1_700_000_000_000;
const kill = { flatten: false, reason: 'incident', requestedBy: 'op' };
const resume = { confirm: true as const, reason: 'all clear', requestedBy: 'op' };

describe('OperatorView: the kill switch', () => {
  it('tells a resume given before the kill in force as ignored, and keeps the kill', () => {
    const view = new OperatorView(new VirtualClock(T + 3_000));
    view.onKill(kill, 'k2', T + 2_000);
    expect(view.onResume(resume, 'r1', T + 1_000)).toMatchObject({
      severity: 'critical',
      text: 'Resume by op ignored: a later kill is in force (by op: incident). The kill switch stays ENGAGED.',
    });
    expect(view.kill).toMatchObject({ engaged: true, reason: 'incident', commandId: 'k2' });
  });

  it('shows the switch released by a resume given after the kill', () => {
    const view = new OperatorView(new VirtualClock(T + 3_000));
    view.onKill(kill, 'k1', T + 1_000);
    expect(view.onResume(resume, 'r2', T + 2_000).text).toBe('Resume requested by op: all clear');
    expect(view.kill).toMatchObject({ engaged: false, commandId: 'r2' });
  });

  it('applies a resume given after a kill from a host whose clock runs 10 min ahead, as the services do', () => {
    const clock = new VirtualClock(T);
    const view = new OperatorView(clock);
    view.onKill(kill, 'k1', T + 600_000);
    clock.set(T + 60_000);
    expect(view.onResume(resume, 'r1', T + 60_000).text).toBe('Resume requested by op: all clear');
    expect(view.kill).toMatchObject({ engaged: false, commandId: 'r1' });
  });
});
