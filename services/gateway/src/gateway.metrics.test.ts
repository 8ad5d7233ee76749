import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, startHarness } from './testing/harness';

describe('gateway metrics', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness('gw_metrics');
  });
  afterAll(async () => {
    await h?.close();
  });

  const values = async (name: string) =>
    (await h.metrics.getSingleMetric(name)?.get())?.values.map((v) => [v.labels, v.value]);

  it('exports sign-ins, refusals, operator actions and configuration changes at 0 before any request', async () => {
    expect(await values('ballast_gateway_logins_total')).toEqual([
      [{ outcome: 'ok' }, 0],
      [{ outcome: 'refused' }, 0],
      [{ outcome: 'rate_limited' }, 0],
    ]);
    expect(await values('ballast_gateway_refusals_total')).toEqual([
      [{ reason: 'unauthenticated' }, 0],
      [{ reason: 'csrf' }, 0],
      [{ reason: 'rate_limited' }, 0],
    ]);
    expect(await values('ballast_gateway_control_actions_total')).toEqual(
      ['kill', 'resume'].flatMap((action) =>
        ['published', 'refused', 'failed'].map((outcome) => [{ action, outcome }, 0]),
      ),
    );
    expect(await values('ballast_gateway_control_audit_failures_total')).toEqual([
      [{ action: 'kill' }, 0],
      [{ action: 'resume' }, 0],
    ]);
    expect(await values('ballast_gateway_config_changes_total')).toEqual(
      ['risk_limits', 'strategy_enabled'].flatMap((kind) =>
        ['recorded', 'not_announced'].map((outcome) => [{ kind, outcome }, 0]),
      ),
    );
  });
});
