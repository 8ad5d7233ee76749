import type { Clock } from '@ballast/contracts';
import { KILL_RELEASED } from '@ballast/core';
import { botStateBed, expectInvalidState } from '@ballast/db/testing';
import { KillStore } from '@ballast/service-kit';
import { describe, expect, it } from 'vitest';
import { EquityBaselineStore } from './equity-baseline-store';
import { FeedStatesStore } from './feed-states-store';

const clock: Clock = { now: () => Date.UTC(2026, 10, 24, 12) };
const bed = botStateBed('risk_bot_state', clock);

const baseline = {
  equity: 9_400,
  peakEquity: 10_000,
  day: Date.UTC(2026, 10, 24),
  dayStartEquity: 9_800,
  dailyLossHalt: null,
  drawdownHalt: { limit: 0.05, value: 0.06, at: Date.UTC(2026, 10, 24, 9) },
};
const feeds = { 'binance:BTC-USDT': { stale: true, at: 1_764_000_000_000 } };

describe("risk's stored state in bot_state", () => {
  it('loads rows written before: the kill switch (older, without commandAt), the baseline, the feeds', async () => {
    await bed.write(
      'kill:risk',
      '{"engaged":true,"flatten":false,"reason":"drill","requestedBy":"ops","since":1764000000000,"commandId":"k1"}',
    );
    await bed.write('risk-equity:olddesk', JSON.stringify(baseline));
    await bed.write('risk-feeds:olddesk', '{"binance:BTC-USDT":{"stale":true,"at":1764000000000}}');

    expect(await new KillStore(bed.state, 'risk').load()).toEqual({
      engaged: true,
      flatten: false,
      reason: 'drill',
      requestedBy: 'ops',
      since: 1_764_000_000_000,
      commandId: 'k1',
      commandAt: null,
      lastKillId: null,
    });
    expect(await new EquityBaselineStore(bed.state, 'olddesk').load()).toEqual(baseline);
    expect(await new FeedStatesStore(bed.state, 'olddesk').load()).toEqual(feeds);
  });

  it('saves each at its key as the JSON of the value', async () => {
    const kill = {
      ...KILL_RELEASED,
      engaged: true,
      reason: 'drill',
      commandId: 'k2',
      commandAt: 5,
      lastKillId: 'k2',
    };
    await new KillStore(bed.state, 'saver').save(kill);
    await new EquityBaselineStore(bed.state, 'newdesk').save(baseline);
    await new FeedStatesStore(bed.state, 'newdesk').save(feeds);
    expect((await bed.read('kill:saver'))?.value).toEqual(kill);
    expect((await bed.read('risk-equity:newdesk'))?.value).toEqual(baseline);
    expect((await bed.read('risk-feeds:newdesk'))?.value).toEqual(feeds);
  });

  it('before the first save: the kill switch released, no baseline, no market stale', async () => {
    expect(await new KillStore(bed.state, 'never').load()).toEqual(KILL_RELEASED);
    expect(await new EquityBaselineStore(bed.state, 'never').load()).toBeUndefined();
    expect(await new FeedStatesStore(bed.state, 'never').load()).toEqual({});
  });

  it('refuses a row that does not parse with invalid_state naming its key, never the default', async () => {
    await bed.write('kill:broken', '{"engaged":"yes"}');
    await bed.write('risk-equity:broken', '{"equity":"lots"}');
    await bed.write('risk-feeds:broken', '{"binance:BTC-USDT":{"stale":"maybe"}}');
    const loads: [string, () => Promise<unknown>][] = [
      ['kill:broken', () => new KillStore(bed.state, 'broken').load()],
      ['risk-equity:broken', () => new EquityBaselineStore(bed.state, 'broken').load()],
      ['risk-feeds:broken', () => new FeedStatesStore(bed.state, 'broken').load()],
    ];
    for (const [key, load] of loads) await expectInvalidState(load(), key);
  });
});
