import type { Alert, Clock, ControlAck, PositionEvent, ResumeCommand } from '@ballast/contracts';
import { Subjects, subject } from '@ballast/contracts';
import { EquityBaseline, KillState } from '@ballast/core';
import { BotStateRepository } from '@ballast/db';
import { waitFor } from '@ballast/testkit';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { equityBaselineKey } from './equity-baseline-store';
import { btcSignal } from './testing/btc-fixtures';
import { useRiskBed } from './testing/risk-bed';

// Risk with 10,000 of equity (RISK_EQUITY) and the default limits: 15 % drawdown from the peak (1,500)
// and 5 % daily loss of the day's start (500). Its clock starts at noon UTC of today, so the test does
// not straddle midnight, and is moved a day on to see the next UTC day.
const DAY_MS = 86_400_000;
let shift = Math.floor(Date.now() / DAY_MS) * DAY_MS + DAY_MS / 2 - Date.now();
const clock: Clock = { now: () => Date.now() + shift };

const bed = useRiskBed('risk-halts-restart');
type Risk = Awaited<ReturnType<typeof bed.startRisk>>;

/** An ETH-USDT long closed 1,600 down, as the orders service publishes it. */
const closedAtLoss: PositionEvent = {
  status: 'closed',
  positionId: 'binance:ETH-USDT',
  strategy: 'trend',
  exchange: 'binance',
  symbol: 'ETH-USDT',
  side: 'long',
  qty: 0,
  avgEntry: 2_000,
  realizedPnl: -1_600,
  fees: 0,
};

// Sent at risk's (shifted) time: a signal dated before risk's clock by more than maxSignalAgeMs is stale.
const signal = async (id: string) => {
  await bed.bus.publish(subject(Subjects.signalDecision, {}), btcSignal(id), { eventTime: clock.now() });
  return bed.decisionOn(id);
};

const halts = (risk: Risk) => {
  const { equity, peakEquity, dayStartEquity, drawdownHalt, dailyLossHalt } = risk.manager.current;
  return { equity, peakEquity, dayStartEquity, drawdownHalt, dailyLossHalt };
};

describe('the drawdown and daily-loss halts across a restart', () => {
  it('stay after it; only a resume asking to clear the drawdown halt lifts it, and the next UTC day the daily one', {
    timeout: 120_000,
  }, async () => {
    const acks: ControlAck[] = [];
    await bed.bus.subscribe(subject(Subjects.controlAck, {}), (m) => void acks.push(m.payload), {
      durable: 'test-halt-acks',
    });
    const resume = async (clearDrawdown?: boolean) => {
      const command: ResumeCommand = { confirm: true, reason: 'test', requestedBy: 'test' };
      const { id } = await bed.bus.publish(subject(Subjects.resume, {}), {
        ...command,
        ...(clearDrawdown === undefined ? {} : { clearDrawdown }),
      });
      return waitFor(
        () => acks.find((a) => a.service === 'risk' && a.commandId === id),
        'the resume acknowledged',
      );
    };

    let risk = await bed.startRisk(clock);
    await bed.bus.publish(subject(Subjects.positionEvent, {}), closedAtLoss);
    await waitFor(() => risk.manager.current.drawdownHalt !== null, 'the drawdown halt');
    const halted = halts(risk);
    const at = halted.drawdownHalt?.at ?? 0;
    expect(halted).toEqual({
      equity: 8_400,
      peakEquity: 10_000,
      dayStartEquity: 10_000,
      drawdownHalt: { limit: 1_500, value: 1_600, at },
      dailyLossHalt: { limit: 500, value: 1_600, at },
    });
    expect(await signal('halt-1')).toMatchObject({
      approved: false,
      reason: 'max_drawdown',
      limit: 1_500,
      value: 1_600,
    });
    await risk[Symbol.asyncDispose]();

    // A crash or a deploy: the same day, the equity read again from RISK_EQUITY and the recorded trade.
    risk = await bed.startRisk(clock);
    expect(halts(risk)).toEqual(halted);
    expect(await signal('halt-2')).toMatchObject({
      approved: false,
      reason: 'max_drawdown',
      limit: 1_500,
      value: 1_600,
    });

    // Lifting the kill switch does not lift the drawdown halt; the acknowledgement says how to.
    const kept = await resume();
    expect(kept.detail).toMatch(/entries stay halted by the drawdown halt since .*resume --clear-drawdown/);
    expect(await signal('halt-3')).toMatchObject({ approved: false, reason: 'max_drawdown' });

    const lifted = await resume(true);
    expect(lifted.detail).toMatch(/drawdown halt since .* lifted, peak reset to 8400$/);
    // The day's loss halt stays until the next UTC day.
    expect(await signal('halt-4')).toMatchObject({
      approved: false,
      reason: 'daily_loss',
      limit: 500,
      value: 1_600,
    });
    await risk[Symbol.asyncDispose]();

    // The resume is kept across a restart as the halt was.
    risk = await bed.startRisk(clock);
    expect(halts(risk)).toEqual({ ...halted, peakEquity: 8_400, drawdownHalt: null });
    expect(await signal('halt-5')).toMatchObject({ approved: false, reason: 'daily_loss' });
    await risk[Symbol.asyncDispose]();

    // Restarted on the next UTC day: a new day from the last equity, entries open.
    shift += DAY_MS;
    risk = await bed.startRisk(clock);
    expect(halts(risk)).toEqual({
      ...halted,
      peakEquity: 8_400,
      dayStartEquity: 8_400,
      drawdownHalt: null,
      dailyLossHalt: null,
    });
    expect(await signal('halt-6')).toMatchObject({ approved: true });
    await risk[Symbol.asyncDispose]();
  });
});

describe('a kill given while a resume --clear-drawdown is storing the baseline', () => {
  it('is what stays stored: a restart keeps it engaged', { timeout: 120_000 }, async () => {
    const acks: ControlAck[] = [];
    await bed.bus.subscribe(subject(Subjects.controlAck, {}), (m) => void acks.push(m.payload), {
      durable: 'test-race-acks',
    });
    const acked = (id: string) =>
      waitFor(() => acks.find((a) => a.service === 'risk' && a.commandId === id), `the ack of ${id}`);
    let risk = await bed.startRisk(clock);
    // Another position than the first test's (whose trade is recorded): its loss counts again.
    const loss = { ...closedAtLoss, positionId: 'binance:SOL-USDT', symbol: 'SOL-USDT' };
    await bed.bus.publish(subject(Subjects.positionEvent, {}), loss);
    await waitFor(() => risk.manager.current.drawdownHalt !== null, 'the drawdown halt');

    // A slow baseline write: its row held by another transaction until the kill has been applied.
    let release = () => {};
    const released = new Promise<void>((r) => {
      release = r;
    });
    let locked = () => {};
    const isLocked = new Promise<void>((r) => {
      locked = r;
    });
    const holder = bed.handle.db.connection().execute(async (conn) => {
      await sql`begin`.execute(conn);
      await sql`select * from bot_state where key = ${equityBaselineKey('binance')} for update`.execute(conn);
      locked();
      await released;
      await sql`commit`.execute(conn);
    });
    await isLocked;
    const resume = await bed.bus.publish(
      subject(Subjects.resume, {}),
      { confirm: true, reason: 'test', requestedBy: 'test', clearDrawdown: true },
      { eventTime: clock.now() },
    );
    const waitingLocks = async () =>
      Number(
        (
          await sql<{ n: string }>`select count(*) as n from pg_locks where not granted`.execute(
            bed.handle.db,
          )
        ).rows[0]?.n ?? 0,
      );
    await waitFor(async () => (await waitingLocks()) > 0, 'the resume waiting on the baseline row');
    const kill = await bed.bus.publish(
      subject(Subjects.kill, {}),
      { flatten: false, reason: 'incident', requestedBy: 'test' },
      { eventTime: clock.now() + 1 },
    );
    await acked(kill.id);
    release();
    await holder;
    await acked(resume.id);

    const stored = new BotStateRepository(bed.handle.db, clock);
    await waitFor(
      async () => (await stored.get('kill:risk', KillState))?.value.commandId === kill.id,
      'the kill stored',
    );
    await risk[Symbol.asyncDispose]();
    risk = await bed.startRisk(clock);
    expect(risk.manager.current.kill.engaged).toBe(true);
    await risk[Symbol.asyncDispose]();
  });
});

describe('a halt whose baseline could not be stored at once', () => {
  it('is announced all the same, once', { timeout: 120_000 }, async () => {
    const alerts: Alert[] = [];
    await bed.bus.subscribe(subject(Subjects.alert, {}), (m) => void alerts.push(m.payload), {
      durable: 'test-halt-alerts',
    });
    const risk = await bed.startRisk(clock);
    const key = equityBaselineKey('binance');
    // The database refuses the baseline's row (a blip): its store fails, the event is delivered again.
    await sql
      .raw(`alter table bot_state add constraint test_no_baseline check (key <> '${key}') not valid`)
      .execute(bed.handle.db);
    try {
      const loss = { ...closedAtLoss, positionId: 'binance:ADA-USDT', symbol: 'ADA-USDT' };
      await bed.bus.publish(subject(Subjects.positionEvent, {}), loss);
      await waitFor(
        () => alerts.find((a) => a.labels.halt === 'max_drawdown'),
        'the drawdown halt announced',
      );
    } finally {
      await sql.raw('alter table bot_state drop constraint test_no_baseline').execute(bed.handle.db);
    }
    const stored = new BotStateRepository(bed.handle.db, clock);
    await waitFor(
      async () => (await stored.get(key, EquityBaseline))?.value.drawdownHalt ?? undefined,
      'the halt stored once the database answers',
      { timeoutMs: 60_000 },
    );
    expect(alerts.filter((a) => a.labels.halt === 'max_drawdown')).toHaveLength(1);
    await risk[Symbol.asyncDispose]();
  });
});
