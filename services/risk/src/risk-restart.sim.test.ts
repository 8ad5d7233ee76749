import type { Clock, SignalDecision } from '@ballast/contracts';
import { Subjects, subject } from '@ballast/contracts';
import { OrderSliceRepository } from '@ballast/db';
import { waitFor } from '@ballast/testkit';
import { describe, expect, it } from 'vitest';
import { btcSignal, refusedBtcBuy, trendBtcOpened } from './testing/btc-fixtures';
import { useRiskBed } from './testing/risk-bed';

// Risk restarted between an entry's approval and its fill, on the simulator's BTC-USDT (rules from its
// recorded exchangeInfo, book binance-spot-ws/2021-04-04_rest_depth_BTCUSDT_limit1000.json). The
// per-market cap is 15% of 10,000; the recorded signal's risk budget is cut to it: 0.02586 BTC.
const clock: Clock = { now: () => Date.now() };
const FULL = 0.02586;

const bed = useRiskBed('risk-restart');
const { decisionOn } = bed;

type Risk = Awaited<ReturnType<typeof bed.startRisk>>;

/** Risk as it runs: started, a test run against it, stopped (as SIGTERM stops it) even on failure. */
async function running(test: (risk: Risk) => Promise<void>): Promise<void> {
  const risk = await bed.startRisk(clock);
  try {
    await test(risk);
  } finally {
    await risk[Symbol.asyncDispose]();
  }
}

/** The recorded BTC long from trend, a reviewer's `size` of its risk budget. */
const trendBtc = (id: string, size = 1): SignalDecision => {
  const s = btcSignal(id);
  return { ...s, sizeMultiplier: size, candidate: { ...s.candidate, strategy: 'trend' } };
};

const signal = (decision: SignalDecision) => bed.bus.publish(subject(Subjects.signalDecision, {}), decision);

async function approved(id: string) {
  const decision = await decisionOn(id);
  if (!decision.approved) throw new Error(`${id} denied: ${decision.reason} ${decision.detail}`);
  return decision.intent;
}

describe('risk restarted between an approval and its fill', () => {
  it("keeps the approval's room before its order is recorded: the next entry on the market is refused naming it", async () => {
    let first: Awaited<ReturnType<typeof approved>> | undefined;
    await running(async () => {
      await signal(trendBtc('held-a'));
      first = await approved('held-a');
      expect(first.qty).toBe(FULL);
    });
    if (!first) throw new Error('no approval');
    const { intentId, stop } = first;
    // The orders service has not recorded the decision yet (down, or behind): no slice says it.
    expect((await new OrderSliceRepository(bed.handle.db, clock).all()).length).toBe(0);
    await running(async (risk) => {
      expect(risk.manager.current.pending).toMatchObject([{ intentId, qty: FULL, stop }]);
      await signal(trendBtc('held-b'));
      const next = await decisionOn('held-b');
      expect(next).toMatchObject({ approved: false, reason: 'max_position', limit: 1_500 });
      expect(next.approved || next.detail).toMatch(/approved, not filled yet/);
      // The orders service refuses the decision before recording any order (its slippage guard).
      await bed.bus.publish(
        subject(Subjects.orderEvent, {}),
        refusedBtcBuy(intentId, `bl-${intentId}`, FULL),
      );
      await waitFor(() => risk.manager.current.pending.length === 0, 'the refusal released the room');
    });
    // A refusal heard before a restart stays heard.
    await running(async (risk) => {
      expect(risk.manager.current.pending).toEqual([]);
    });
  });

  it('gives a signal redelivered after the restart and the fill its verdict again, and reserves nothing', async () => {
    let first: Awaited<ReturnType<typeof approved>> | undefined;
    await running(async () => {
      // A twentieth of the risk budget: room is left on the market after it.
      await signal(trendBtc('again-a', 0.05));
      first = await approved('again-a');
    });
    if (!first) throw new Error('no approval');
    const { intentId, qty, entry } = first;
    await running(async (risk) => {
      // The entry fills after the restart (its position event comes to the restarted risk).
      await bed.bus.publish(subject(Subjects.positionEvent, {}), trendBtcOpened({ qty, entry }));
      await waitFor(() => risk.manager.current.pending.length === 0, 'the fill took the reservation off');
      // The position starts with the stop its entry was approved with (open risk, and an add's size).
      expect(risk.manager.current.positions).toMatchObject([{ qty, stop: first?.stop }]);
      // The signal again (risk published, then failed before the ack), then the next one.
      await signal(trendBtc('again-a', 0.05));
      await signal(trendBtc('again-b', 0.05));
      const next = await approved('again-b');
      expect(risk.manager.current.pending.map((p) => p.intentId)).toEqual([next.intentId]);
      expect(risk.manager.current.decided.find((d) => d.intentId === intentId)?.verdict).toMatchObject({
        ok: true,
        qty,
        entry,
      });
    });
  });
});
