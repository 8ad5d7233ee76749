import { describe, expect, it } from 'vitest';
import { OperatorView } from './operator-view';

const kill = { flatten: false, reason: 'incident', requestedBy: 'op' };
const resume = { confirm: true as const, reason: 'all clear', requestedBy: 'op' };

describe('OperatorView: the kill switch', () => {
  it('shows the kill in force when a resume given before it is told after it', () => {
    const view = new OperatorView();
    view.onKill(kill, 'k2', 1_700_000_002_000);
    // The operator is still told of the resume; the switch stays as the kill left it.
    expect(view.onResume(resume, 'r1', 1_700_000_001_000).text).toBe('Kill switch lifted by op: all clear');
    expect(view.kill).toMatchObject({ engaged: true, reason: 'incident', commandId: 'k2' });
  });

  it('shows the switch released by a resume given after the kill', () => {
    const view = new OperatorView();
    view.onKill(kill, 'k1', 1_700_000_001_000);
    view.onResume(resume, 'r2', 1_700_000_002_000);
    expect(view.kill).toMatchObject({ engaged: false, commandId: 'r2' });
  });
});
