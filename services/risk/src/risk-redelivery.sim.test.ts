import { type Bus, publishThrough } from '@ballast/bus';
import {
  type Clock,
  type KillCommand,
  type RiskDecision,
  type SignalDecision,
  Subjects,
  subject,
} from '@ballast/contracts';
import { KILL_RELEASED } from '@ballast/core';
import { BotStateRepository } from '@ballast/db';
import { KillStore } from '@ballast/service-kit';
import { waitFor } from '@ballast/testkit';
import { beforeEach, describe, expect, it } from 'vitest';
import { btcSignal } from './testing/btc-fixtures';
import { useRiskBed } from './testing/risk-bed';

// A signal delivered again after risk decided it, against real NATS and Postgres on the simulator's
// BTC-USDT (recorded book binance-spot-ws/2021-04-04_rest_depth_BTCUSDT_limit1000.json).

/** The service clock; a test moves it forward to show which decision an expiry counts from. */
let skew = 0;
const clock: Clock = { now: () => Date.now() + skew };
const bed = useRiskBed('risk-redelivery');
const killCommand: KillCommand = { flatten: false, reason: 'incident', requestedBy: 'op' };

beforeEach(async () => {
  skew = 0;
  await new KillStore(new BotStateRepository(bed.handle.db, clock), 'risk').save(KILL_RELEASED);
});

/** A signal decided now on the service clock, as the signals service would publish it (again). */
const publishSignal = (signal: SignalDecision) =>
  bed.bus.publish(subject(Subjects.signalDecision, {}), signal, { eventTime: clock.now() });

/** Every decision risk published on `candidateId`, as the orders service receives them. */
const decisionsOn = (candidateId: string) =>
  bed.decisions.filter((d) => (d.approved ? d.intent.candidateId : d.candidateId) === candidateId);

/**
 * Risk's own bus, whose first decision publish is held until `fail()` and then fails, as a publish lost
 * in a NATS leader change: the signal handler throws and JetStream delivers the signal again.
 */
function firstDecisionLost(inner: Bus) {
  let lost: RiskDecision | undefined;
  let fail = () => {};
  const failed = new Promise<void>((resolve) => {
    fail = resolve;
  });
  const bus = publishThrough(inner, async (on, payload, options) => {
    if (on.family.name !== Subjects.riskDecision.name || lost) return inner.publish(on, payload, options);
    lost = payload as RiskDecision;
    await failed;
    throw new Error('publish to risk.decision timed out');
  });
  const approval = async () => {
    const decision = await waitFor(() => lost, 'the first decision, lost');
    if (!decision.approved) throw new Error(`denied: ${decision.reason} ${decision.detail}`);
    return decision.intent;
  };
  return { bus, approval, fail };
}

type Risk = Awaited<ReturnType<typeof bed.startRisk>>;

/** Starts risk (on `bus` when given), runs `test` and stops risk after it, even when the test fails. */
async function withRisk(test: (risk: Risk) => Promise<void>, bus?: Bus): Promise<void> {
  const risk = await bed.startRisk(clock, {}, bus ? { bus } : {});
  try {
    await waitFor(() => risk.manager.current !== undefined, 'risk started');
    await test(risk);
  } finally {
    await risk[Symbol.asyncDispose]();
  }
}

async function kill(risk: Risk): Promise<void> {
  await bed.bus.publish(subject(Subjects.kill, {}), killCommand);
  await waitFor(() => risk.manager.current.kill.engaged, 'the kill in force');
}

describe('risk: a signal delivered again after its decision', () => {
  it('publishes the approval with the expiry of its first decision, whose publish was lost', async () => {
    const lost = firstDecisionLost(bed.bus);
    await withRisk(async () => {
      await publishSignal(btcSignal('expiry-kept'));
      const first = await lost.approval();
      skew += 20_000; // The redelivery comes later on the service clock (within the signal's age).
      lost.fail();
      const again = await bed.decisionOn('expiry-kept');
      if (!again.approved) throw new Error(`redelivery denied: ${again.reason} ${again.detail}`);
      expect(again.intent).toEqual(first);
      expect(again.intent.expiresAt).toBe(first.expiresAt);
    }, lost.bus);
  }, 60_000);

  it('publishes no approval when the kill came before the redelivery of one that was lost; its room lapses at its expiry', async () => {
    const lost = firstDecisionLost(bed.bus);
    await withRisk(async (risk) => {
      await publishSignal(btcSignal('killed-between'));
      const first = await lost.approval();
      expect(risk.manager.current.pending.map((p) => p.intentId)).toEqual([first.intentId]);
      await kill(risk);
      lost.fail();
      expect(await bed.decisionOn('killed-between')).toMatchObject({
        approved: false,
        reason: 'kill_switch',
      });
      expect(decisionsOn('killed-between').filter((d) => d.approved)).toEqual([]);
      // Risk cannot tell a lost approval from one that went out: the room is held until it lapses.
      expect(risk.manager.current.pending.map((p) => p.intentId)).toEqual([first.intentId]);
    }, lost.bus);
  }, 60_000);

  it('leaves the orders service with the approval alone when it had gone out: the denial is a duplicate', async () => {
    await withRisk(async (risk) => {
      await publishSignal(btcSignal('landed'));
      const first = await bed.decisionOn('landed');
      if (!first.approved) throw new Error(`denied: ${first.reason} ${first.detail}`);
      await kill(risk);
      // Delivered again (its ack lost): the denial goes out under the approval's id, within the window.
      await publishSignal(btcSignal('landed'));
      await publishSignal(btcSignal('after-landed'));
      // One consumer, in order: the decision after it is published after the redelivery's.
      expect(await bed.decisionOn('after-landed')).toMatchObject({ approved: false, reason: 'kill_switch' });
      expect(decisionsOn('landed')).toEqual([first]);
      const decided = risk.manager.current.decided.find((d) => d.intentId === first.intent.intentId);
      expect(decided).toMatchObject({ verdict: { ok: false, reason: 'kill_switch' }, released: true });
      // Orders is executing the approval: its room stays reserved, or the next entry could overfill.
      expect(risk.manager.current.pending.map((p) => p.intentId)).toEqual([first.intent.intentId]);
    });
  }, 60_000);
});
