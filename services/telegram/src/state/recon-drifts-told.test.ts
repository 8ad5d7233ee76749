import type { ReconEvent } from '@ballast/contracts';
import { describe, expect, it } from 'vitest';
import { ReconDriftsTold } from './recon-drifts-told';

const drift = (venue: string, evidence: string, kind: ReconEvent['kind'] = 'order_state'): ReconEvent => ({
  venue,
  kind,
  before: null,
  after: null,
  evidence,
});
const told = (t: ReconDriftsTold, e: ReconEvent) => t.notice(e, 1_700_000_000_000)?.text ?? null;

describe('ReconDriftsTold: a drift that persists run after run is told once', () => {
  it('tells a drift once per venue until a clean run, and a changed outcome again', () => {
    const t = new ReconDriftsTold();
    const failed = drift('binance', 'cancel (failed): order bl-1 open on the venue, done in our books');
    expect(told(t, failed)).toBe(
      'Reconciliation drift on binance (order_state): cancel (failed): order bl-1 open on the venue, done in our books',
    );
    expect(told(t, failed)).toBeNull();
    expect(told(t, { ...failed, venue: 'bybit' })).not.toBeNull();
    expect(
      told(t, drift('binance', 'cancel (applied): order bl-1 open on the venue, done in our books')),
    ).not.toBeNull();
    expect(told(t, drift('binance', 'clean', 'clean'))).toBeNull();
    expect(told(t, failed)).not.toBeNull();
  });

  it('tells an unreadable venue once per spell: again after a run that read it', () => {
    const t = new ReconDriftsTold();
    const unreadable = drift('binance', 'venue unreadable: timed out', 'unknown');
    expect(told(t, unreadable)).toBe(
      'Reconciliation of binance compared nothing: venue unreadable: timed out',
    );
    expect(told(t, unreadable)).toBeNull();
    expect(told(t, drift('binance', 'flag (flagged): balance BTC'))).not.toBeNull();
    expect(told(t, unreadable)).not.toBeNull();
  });

  it('does not say the venue could not be read when the run failed for another reason', () => {
    const t = new ReconDriftsTold();
    const unpublished = drift(
      'binance',
      'run failed (not the venue): publish refused: nats unreachable',
      'unknown',
    );
    expect(told(t, unpublished)).toBe(
      'Reconciliation of binance compared nothing: run failed (not the venue): publish refused: nats unreachable',
    );
  });
});
