import {
  type Clock,
  type ControlAck,
  type KillCommand,
  type ResumeCommand,
  Subjects,
  subject,
} from '@ballast/contracts';
import { KILL_RELEASED } from '@ballast/core';
import { BotStateRepository } from '@ballast/db';
import { KillStore } from '@ballast/service-kit';
import { outageStore, waitFor } from '@ballast/testkit';
import { Registry } from 'prom-client';
import { beforeEach, describe, expect, it } from 'vitest';
import { riskConfigSchema } from './config';
import { type RiskDeps, startRisk } from './service';
import { btcBookSnapshot, btcSignal } from './testing/btc-fixtures';
import { useRiskBed } from './testing/risk-bed';

// The kill switch against real NATS and Postgres, on the simulator's BTC-USDT (recorded book
// binance-spot-ws/2021-04-04_rest_depth_BTCUSDT_limit1000.json).
const clock: Clock = { now: () => Date.now() };
const silent = { info() {}, warn() {}, error() {} };
const bed = useRiskBed('risk-kill');

const killCommand: KillCommand = { flatten: false, reason: 'incident', requestedBy: 'op' };
const resumeCommand: ResumeCommand = { confirm: true, reason: 'all clear', requestedBy: 'op' };
const stored = () => new KillStore(new BotStateRepository(bed.handle.db, clock), 'risk');

/** Risk's acknowledgements, as the operator's CLI collects them. */
async function riskAcks(durable: string) {
  const acks: ControlAck[] = [];
  const sub = await bed.bus.subscribe(
    subject(Subjects.controlAck, {}),
    (m) => {
      if (m.payload.service === 'risk') acks.push(m.payload);
    },
    { durable },
  );
  const ackOf = (commandId: string) =>
    waitFor(() => acks.find((a) => a.commandId === commandId), `risk's ack of ${commandId}`);
  return { ackOf, stop: () => sub.stop() };
}

beforeEach(() => stored().save(KILL_RELEASED));

/** Risk with 10,000 of equity on the simulator, keeping its kill switch in `kill`. */
function startRiskOn(kill: RiskDeps['kill'], metrics?: Registry) {
  const config = riskConfigSchema.parse({ EXCHANGE_BASE_URL: bed.sim.restUrl, RISK_EQUITY: '10000' });
  const deps = { bus: bed.bus, db: bed.handle.db, clock, config, log: silent, kill };
  return startRisk(metrics ? { ...deps, metrics } : deps);
}

describe('a kill while the kill store is unreachable', () => {
  it('refuses entries at once, tries the write again, and stores the kill once the store answers', async () => {
    const store = outageStore(stored());
    const metrics = new Registry();
    const risk = await startRiskOn(store, metrics);
    try {
      await bed.bus.publish(
        subject(Subjects.book, { exchange: 'binance', symbol: 'BTC-USDT' }),
        btcBookSnapshot(clock.now()),
      );
      const kill = await bed.bus.publish(subject(Subjects.kill, {}), killCommand);
      await waitFor(() => risk.manager.current.kill.engaged, 'the kill in force');
      await bed.bus.publish(subject(Subjects.signalDecision, {}), btcSignal('killed-db-down'));
      expect(await bed.decisionOn('killed-db-down')).toMatchObject({
        approved: false,
        reason: 'kill_switch',
      });

      await waitFor(() => store.refused >= 2, 'the refused write tried again');
      const failures = await metrics.getSingleMetric('ballast_control_kill_save_failures_total')?.get();
      expect(failures?.values[0]?.value).toBeGreaterThanOrEqual(2);
      expect(await stored().load()).toMatchObject({ engaged: false });

      store.down = false;
      await waitFor(() => store.saved > 0, 'the kill stored');
      const kept = { engaged: true, reason: 'incident', commandId: kill.id, commandAt: kill.eventTime };
      expect(await stored().load()).toMatchObject(kept);
      expect(risk.manager.current.kill.engaged).toBe(true);
    } finally {
      await risk[Symbol.asyncDispose]();
    }
  });

  it('has a kill it could not store delivered again after a restart, and stores it then', async () => {
    const store = outageStore(stored());
    const down = await startRiskOn(store);
    const kill = await bed.bus.publish(subject(Subjects.kill, {}), killCommand);
    await waitFor(() => store.refused >= 1, 'the write refused');
    // Stopped (SIGTERM) while the write still fails: the kill's message is not acknowledged.
    await down[Symbol.asyncDispose]();
    expect(await stored().load()).toMatchObject({ engaged: false });

    const risk = await bed.startRisk(clock);
    try {
      await waitFor(
        async () => (await stored().load()).commandId === kill.id,
        'the kill delivered again and stored',
      );
      expect(risk.manager.current.kill.engaged).toBe(true);
    } finally {
      await risk[Symbol.asyncDispose]();
    }
  });
});

describe('a resume given before a kill and delivered after it', () => {
  it('leaves the kill in force when the resume arrives late while risk runs', async () => {
    const acks = await riskAcks('test-acks-late-resume');
    const risk = await bed.startRisk(clock);
    try {
      const givenAt = clock.now();
      const kill = await bed.bus.publish(subject(Subjects.kill, {}), killCommand, { eventTime: givenAt });
      await acks.ackOf(kill.id);
      // A resume sent a second before the kill, delivered again after it (a retried delivery).
      const resume = await bed.bus.publish(subject(Subjects.resume, {}), resumeCommand, {
        eventTime: givenAt - 1_000,
      });
      expect(await acks.ackOf(resume.id)).toMatchObject({
        exchange: 'binance',
        command: 'resume',
        engaged: true,
      });
      expect(risk.manager.current.kill.engaged).toBe(true);
      expect(await stored().load()).toMatchObject({ engaged: true, commandId: kill.id });
    } finally {
      await risk[Symbol.asyncDispose]();
      await acks.stop();
    }
  });

  it('leaves the later kill in force when an earlier kill and the resume that lifted it arrive after it', async () => {
    const acks = await riskAcks('test-acks-late-pair');
    const risk = await bed.startRisk(clock);
    try {
      await bed.bus.publish(
        subject(Subjects.book, { exchange: 'binance', symbol: 'BTC-USDT' }),
        btcBookSnapshot(clock.now()),
      );
      const givenAt = clock.now();
      const kill = await bed.bus.publish(subject(Subjects.kill, {}), killCommand, { eventTime: givenAt });
      await acks.ackOf(kill.id);
      // An earlier kill and the resume that lifted it, delivered again after the later kill (retried
      // deliveries, or a risk started on the switch another venue's risk stored).
      const earlier = await bed.bus.publish(subject(Subjects.kill, {}), killCommand, {
        eventTime: givenAt - 2_000,
      });
      await acks.ackOf(earlier.id);
      const resume = await bed.bus.publish(subject(Subjects.resume, {}), resumeCommand, {
        eventTime: givenAt - 1_000,
      });
      expect(await acks.ackOf(resume.id)).toMatchObject({ command: 'resume', engaged: true });
      expect(risk.manager.current.kill.engaged).toBe(true);
      await bed.bus.publish(subject(Subjects.signalDecision, {}), btcSignal('killed-late-pair'));
      expect(await bed.decisionOn('killed-late-pair')).toMatchObject({
        approved: false,
        reason: 'kill_switch',
      });
      expect(await stored().load()).toMatchObject({ engaged: true, commandId: kill.id, commandAt: givenAt });
    } finally {
      await risk[Symbol.asyncDispose]();
      await acks.stop();
    }
  });

  it('applies the kill sent last when risk restarts after a resume and a kill it missed', async () => {
    const acks = await riskAcks('test-acks-restart');
    let risk = await bed.startRisk(clock);
    const first = await bed.bus.publish(subject(Subjects.kill, {}), killCommand);
    await acks.ackOf(first.id);
    await risk[Symbol.asyncDispose]();

    // While risk is down the operator resumes, then kills again: risk's two consumers get them in either order.
    const resume = await bed.bus.publish(subject(Subjects.resume, {}), resumeCommand);
    const kill = await bed.bus.publish(subject(Subjects.kill, {}), { ...killCommand, reason: 'again' });
    risk = await bed.startRisk(clock);
    try {
      await acks.ackOf(resume.id);
      await acks.ackOf(kill.id);
      expect(risk.manager.current.kill).toMatchObject({ engaged: true, reason: 'again' });
      expect(await stored().load()).toMatchObject({ engaged: true, commandId: kill.id });
    } finally {
      await risk[Symbol.asyncDispose]();
      await acks.stop();
    }
  });
});
