import type { NatsBus } from '@ballast/bus';
import {
  type Alert,
  type Clock,
  type MarketRegime,
  type PositionEvent,
  type RiskDecision,
  type SignalDecision,
  Subjects,
  subject,
} from '@ballast/contracts';
import { DEFAULT_RISK_LIMITS, evaluateEntry, initialRiskState } from '@ballast/core';
import { ClosedTradeRepository, type DbHandle, StrategyHourStatsRepository } from '@ballast/db';
import type { ExchangeSim } from '@ballast/exchange-sim';
import { startVenueFixture, type VenueFixture } from '@ballast/exchange-sim/testing';
import { waitFor } from '@ballast/testkit';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { riskConfigSchema } from './config';
import { startRisk } from './service';
import { BTC_RULES, btcBook, btcBookSnapshot, btcSignal } from './testing/btc-fixtures';
import { forgetAccount } from './testing/fresh-account';

const clock: Clock = { now: () => Date.now() };
const silent = { info() {}, warn() {} };

let fixture: VenueFixture;
let sim: ExchangeSim;
let handle: DbHandle;
let bus: NatsBus;

beforeAll(async () => {
  fixture = await startVenueFixture({ label: 'risk' });
  ({ sim, handle, bus } = fixture);
});

// The first test's approval neither fills nor is refused: each test starts with nothing decided, and from
// its own equity at start (an earlier test's peak and day start are forgotten, as its halts).
beforeEach(() => forgetAccount(handle.db));

afterAll(async () => {
  await fixture?.close();
});

const signal = btcSignal;

/** A BTC-USDT long's pos.event, cumulative per position id as the orders service publishes them. */
function publishPosition(
  positionId: string,
  status: PositionEvent['status'],
  qty: number,
  realizedPnl: number,
  fees: number,
) {
  return bus.publish(subject(Subjects.positionEvent, {}), {
    status,
    positionId,
    strategy: 'test',
    exchange: 'binance',
    symbol: 'BTC-USDT',
    side: 'long' as const,
    qty,
    avgEntry: 58001.04,
    realizedPnl,
    fees,
  });
}

/** Risk on 10,000 USDT of configured equity, and the decisions it publishes (read through `durable`). */
async function riskOn10000(durable: string) {
  const service = await startRisk({
    bus,
    db: handle.db,
    clock,
    // Not the defaults: entries must be sized for the costs configured (a 7.5 bps taker fee, stop-limits 80 bps out).
    config: riskConfigSchema.parse({
      EXCHANGE_BASE_URL: sim.restUrl,
      RISK_EQUITY: '10000',
      RISK_TAKER_FEE_BPS: '7.5',
      STOP_LIMIT_OFFSET_BPS: '80',
    }),
    log: silent,
  });
  const decisions: RiskDecision[] = [];
  const sub = await bus.subscribe(subject(Subjects.riskDecision, {}), (m) => void decisions.push(m.payload), {
    durable,
  });
  return { service, decisions, sub };
}

/** BTC's book published and the kill switch resumed (a test before may have left it engaged). */
async function bookInKillOff(service: Awaited<ReturnType<typeof riskOn10000>>['service']): Promise<void> {
  await bus.publish(
    subject(Subjects.book, { exchange: 'binance', symbol: 'BTC-USDT' }),
    btcBookSnapshot(clock.now()),
  );
  await bus.publish(subject(Subjects.resume, {}), { confirm: true, reason: 'test', requestedBy: 'test' });
  await waitFor(() => !service.manager.current.kill.engaged, 'the kill switch off');
}

/** The quantities the core rules size `candidate` at in `regime` and in trending, on riskOn10000's account and costs. */
function sizedAs(candidate: SignalDecision['candidate'], regime: MarketRegime): [number, number] {
  const sized = (r: MarketRegime) =>
    evaluateEntry(
      initialRiskState(10_000, clock.now()),
      {
        ...candidate,
        regime: r,
        volatilityScale: 1,
        sizeMultiplier: 1,
        book: btcBook,
        rules: BTC_RULES,
        signalTime: clock.now(),
        costs: { takerFeeBps: 7.5, stopLimitOffsetBps: 80 },
      },
      DEFAULT_RISK_LIMITS,
      clock.now(),
    );
  const [inRegime, trending] = [sized(regime), sized('trending')];
  if (!inRegime.ok || !trending.ok) throw new Error('the core rules refuse the test candidate');
  return [inRegime.qty, trending.qty];
}

describe('risk service', () => {
  it('sizes an approval by the core rules and rejects with kill_switch while killed', async () => {
    const { service, decisions, sub } = await riskOn10000('test-decisions');
    const book = btcBook;
    await bus.publish(
      subject(Subjects.book, { exchange: 'binance', symbol: 'BTC-USDT' }),
      btcBookSnapshot(clock.now()),
    );
    await waitFor(() => service.manager !== undefined, 'started');
    await bus.publish(subject(Subjects.signalDecision, {}), signal('cand-1'));
    const approved = await waitFor(() => decisions.find((d) => d.approved), 'an approval');
    const expected = evaluateEntry(
      initialRiskState(10_000, clock.now()),
      {
        ...signal('cand-1').candidate,
        regime: 'trending',
        volatilityScale: 1,
        sizeMultiplier: 1,
        signalTime: clock.now(),
        book,
        rules: BTC_RULES,
        costs: { takerFeeBps: 7.5, stopLimitOffsetBps: 80 },
      },
      DEFAULT_RISK_LIMITS,
      clock.now(),
    );
    expect(expected.ok).toBe(true);
    expect(approved).toMatchObject({ approved: true, intent: { qty: expected.ok ? expected.qty : -1 } });
    // Reserved for RISK_PENDING_TTL_MS (default 5 minutes): orders refuses it after that.
    const expiresAt = approved.approved ? (approved.intent.expiresAt ?? 0) : 0;
    expect(expiresAt - clock.now()).toBeGreaterThan(290_000);
    expect(expiresAt - clock.now()).toBeLessThanOrEqual(300_000);

    await bus.publish(subject(Subjects.kill, {}), { flatten: false, reason: 'test', requestedBy: 'test' });
    await waitFor(() => service.manager.current.kill.engaged, 'the kill to apply');
    await bus.publish(subject(Subjects.signalDecision, {}), signal('cand-2'));
    const denied = await waitFor(() => decisions.find((d) => !d.approved), 'a rejection');
    expect(denied).toMatchObject({
      approved: false,
      candidateId: 'cand-2',
      reason: 'kill_switch',
      limit: 0,
      value: 1,
    });
    await sub.stop();
    await service[Symbol.asyncDispose]();
  });

  it("sizes by the regime the candidate's vector had, not risk's default regime", async () => {
    const { service, decisions, sub } = await riskOn10000('test-decisions-regime');
    try {
      // The test before left the kill switch engaged (stored): resumed first.
      await bookInKillOff(service);
      const choppy = signal('cand-choppy');
      // A stop wide enough that the risk-based size stays under the per-market cap, scaled or not.
      const candidate = {
        ...choppy.candidate,
        stop: 52_000,
        takeProfits: [72_000],
        regime: 'choppy' as const,
      };
      await bus.publish(subject(Subjects.signalDecision, {}), { ...choppy, candidate });
      const approved = await waitFor(() => decisions.find((d) => d.approved), 'an approval');
      const [expected, asTrending] = sizedAs(candidate, 'choppy');
      // choppy: half the trending size (lot steps aside).
      expect(expected).toBeLessThan(asTrending * 0.55);
      expect(approved).toMatchObject({ approved: true, intent: { qty: expected } });
    } finally {
      await sub.stop();
      await service[Symbol.asyncDispose]();
    }
  });

  it('sizes a candidate that names no regime as the cautious one (volatile), not at full size (ADR 29)', async () => {
    const { service, decisions, sub } = await riskOn10000('test-decisions-no-regime');
    try {
      await bookInKillOff(service);
      const unnamed = signal('cand-no-regime');
      // A candidate from before candidates carried a regime; the stop as wide as the test above's.
      const { regime: _, ...candidate } = { ...unnamed.candidate, stop: 52_000, takeProfits: [72_000] };
      await bus.publish(subject(Subjects.signalDecision, {}), { ...unnamed, candidate });
      const approved = await waitFor(() => decisions.find((d) => d.approved), 'an approval');
      const [expected, asTrending] = sizedAs(candidate, 'volatile');
      expect(expected).toBeLessThan(asTrending * 0.3);
      expect(approved).toMatchObject({ approved: true, intent: { qty: expected } });
    } finally {
      await sub.stop();
      await service[Symbol.asyncDispose]();
    }
  });

  it('folds realised pnl and fees from position events into equity, per trade, and keeps it across a restart', async () => {
    const config = riskConfigSchema.parse({ EXCHANGE_BASE_URL: sim.restUrl, RISK_EQUITY: '10000' });
    const first = await startRisk({ bus, db: handle.db, clock, config, log: silent });
    const position = (status: PositionEvent['status'], qty: number, realizedPnl: number, fees: number) =>
      publishPosition('binance:BTC-USDT', status, qty, realizedPnl, fees);
    const equity = (value: number, what: string) =>
      waitFor(() => Math.abs(first.manager.current.equity - value) < 1e-9, what);
    const firstEntry = await position('opened', 0.01, 0, 0.58);
    await equity(9999.42, 'the entry fee');
    await position('closed', 0, 20, 1.16);
    await equity(10018.84, 'the first close: +20 realised, 1.16 fees in all');
    const secondEntry = await position('opened', 0.01, 20, 1.74);
    await equity(10018.26, 'the second entry fee');
    await position('closed', 0, 5, 2.32);
    await equity(10002.68, 'the second close: 15 lost, 0.58 more fees');
    const trades = new ClosedTradeRepository(handle.db);
    // Equity moves before the close is recorded (with its hour statistics, in one transaction).
    await waitFor(async () => (await trades.all()).length === 2, 'both closes recorded');
    const pnls = (await trades.all()).map((t) => Number(t.pnl.toFixed(8)));
    // Each trade's own pnl, not the cumulative figures: 20 − 1.16, then (5 − 2.32) − 18.84.
    expect(pnls).toEqual([18.84, -16.16]);
    // And each trade's own fees: 1.16 for the first round trip, 2.32 − 1.16 for the second.
    expect((await trades.all()).map((t) => Number(t.fees.toFixed(8)))).toEqual([1.16, 1.16]);
    expect(first.manager.current.lossStreak.losses).toBe(1);
    // Each trade's entry is the event time of the event that opened it: its hour is the statistics' bucket.
    expect((await trades.all()).map((t) => t.entryTime)).toEqual([
      firstEntry.eventTime,
      secondEntry.eventTime,
    ]);
    const [h1, h2] = [firstEntry, secondEntry].map((e) => new Date(e.eventTime).getUTCHours());
    expect(await new StrategyHourStatsRepository(handle.db).all()).toEqual(
      h1 === h2
        ? [{ strategy: 'test', hourUtc: h1, trades: 2, expectancy: expect.closeTo((18.84 - 16.16) / 2, 9) }]
        : [
            { strategy: 'test', hourUtc: h1, trades: 1, expectancy: expect.closeTo(18.84, 9) },
            { strategy: 'test', hourUtc: h2, trades: 1, expectancy: expect.closeTo(-16.16, 9) },
          ].sort((a, b) => (a.hourUtc ?? 0) - (b.hourUtc ?? 0)),
    );
    await first[Symbol.asyncDispose]();

    const second = await startRisk({ bus, db: handle.db, clock, config, log: silent });
    // RISK_EQUITY is the starting amount: the recorded trades are added back.
    expect(second.manager.current.equity).toBeCloseTo(10002.68, 9);
    await second[Symbol.asyncDispose]();
  });
});

describe('risk: the reconciliation gate', () => {
  /**
   * Risk requiring reconciliation on `riskClock`, the kill switch the first test leaves engaged lifted,
   * the recorded book published; `decided` waits for a candidate's decision, `status` publishes one
   * recon.status for binance (at `publishedAt`, the bus clock's now by default).
   */
  async function gatedRisk(
    durable: string,
    riskClock: Clock,
    overrides: Record<string, string | undefined> = {},
  ) {
    const config = riskConfigSchema.parse({
      EXCHANGE_BASE_URL: sim.restUrl,
      RISK_EQUITY: '10000',
      RISK_REQUIRE_RECON: 'true',
      ...overrides,
    });
    const service = await startRisk({ bus, db: handle.db, clock: riskClock, config, log: silent });
    await bus.publish(subject(Subjects.resume, {}), {
      confirm: true,
      reason: 'gate test',
      requestedBy: 'test',
    });
    await waitFor(() => !service.manager.current.kill.engaged, 'the kill switch to lift');
    const decisions: RiskDecision[] = [];
    const sub = await bus.subscribe(
      subject(Subjects.riskDecision, {}),
      (m) => void decisions.push(m.payload),
      { durable },
    );
    const book = () =>
      bus.publish(
        subject(Subjects.book, { exchange: 'binance', symbol: 'BTC-USDT' }),
        btcBookSnapshot(riskClock.now()),
      );
    await book();
    const decided = (id: string) =>
      waitFor(
        () => decisions.find((d) => (!d.approved ? d.candidateId === id : d.intent.candidateId === id)),
        id,
      );
    const status = (s: 'reconciled' | 'unreconciled' | 'unknown', publishedAt?: number) =>
      bus.publish(
        subject(Subjects.reconStatus, { exchange: 'binance' }),
        {
          venue: 'binance',
          status: s,
          drifts: 0,
          lastCleanAt: s === 'reconciled' ? clock.now() : null,
          detail: 'test',
        },
        publishedAt === undefined ? {} : { eventTime: publishedAt },
      );
    const open = (yes: boolean) =>
      waitFor(
        () => service.manager.current.unreconciledVenues.includes('binance') !== yes,
        yes ? 'the venue to open' : 'the venue to close',
      );
    return {
      service,
      book,
      decided,
      status,
      open,
      async close() {
        await sub.stop();
        await service[Symbol.asyncDispose]();
      },
    };
  }

  it('refuses entries on a venue until it is reconciled and while it is unknown, with a machine-readable reason', {
    timeout: 120_000,
  }, async () => {
    const risk = await gatedRisk('test-gate-decisions', clock);
    try {
      await bus.publish(subject(Subjects.signalDecision, {}), signal('gate-1'));
      expect(await risk.decided('gate-1')).toMatchObject({
        approved: false,
        reason: 'unreconciled',
        limit: 0,
        value: 1,
      });

      await risk.status('reconciled');
      await risk.open(true);
      await bus.publish(subject(Subjects.signalDecision, {}), signal('gate-2'));
      expect(await risk.decided('gate-2')).toMatchObject({ approved: true });

      await risk.status('unknown');
      await risk.open(false);
      await bus.publish(subject(Subjects.signalDecision, {}), signal('gate-3'));
      expect(await risk.decided('gate-3')).toMatchObject({ approved: false, reason: 'unreconciled' });
    } finally {
      await risk.close();
    }
  });

  it('waits for reconciliation on a live account (ORDERS_VENUE_KIND=ccxt) when RISK_REQUIRE_RECON is unset', {
    timeout: 120_000,
  }, async () => {
    const risk = await gatedRisk('test-gate-live-default', clock, {
      RISK_REQUIRE_RECON: undefined,
      ORDERS_VENUE_KIND: 'ccxt',
    });
    try {
      await bus.publish(subject(Subjects.signalDecision, {}), signal('gate-live-1'));
      expect(await risk.decided('gate-live-1')).toMatchObject({ approved: false, reason: 'unreconciled' });
      await risk.status('reconciled');
      await risk.open(true);
      await bus.publish(subject(Subjects.signalDecision, {}), signal('gate-live-2'));
      expect(await risk.decided('gate-live-2')).toMatchObject({ approved: true });
    } finally {
      await risk.close();
    }
  });

  it('refuses entries once the last reconciled status is older than RISK_RECON_MAX_AGE_MS: reconciliation may have died', {
    timeout: 120_000,
  }, async () => {
    let skewMs = 0;
    const riskClock: Clock = { now: () => Date.now() + skewMs };
    const risk = await gatedRisk('test-gate-age-decisions', riskClock, { RISK_RECON_MAX_AGE_MS: '5000' });
    try {
      await risk.status('reconciled');
      await risk.open(true);
      // No status for 6 s of risk's clock: reconciliation stopped after its last reconciled run.
      skewMs = 6_000;
      await risk.book();
      await bus.publish(subject(Subjects.signalDecision, {}), signal('gate-age-1'));
      const denied = await risk.decided('gate-age-1');
      expect(denied).toMatchObject({ approved: false, reason: 'unreconciled', limit: 0, value: 1 });
      const detail = denied.approved ? '' : denied.detail;
      expect(detail).toMatch(
        /^binance: the last reconciliation status is \d+ ms old \(limit 5000 ms\); reconciliation may have stopped$/,
      );
      // At least the 6 s skipped; more on a loaded machine, where the wall clock moved on meanwhile.
      expect(Number(/is (\d+) ms old/.exec(detail)?.[1])).toBeGreaterThanOrEqual(6_000);

      // Its next run's status opens the venue again.
      await risk.status('reconciled', riskClock.now());
      await risk.open(true);
      await bus.publish(subject(Subjects.signalDecision, {}), signal('gate-age-2'));
      expect(await risk.decided('gate-age-2')).toMatchObject({ approved: true });
    } finally {
      await risk.close();
    }
  });
});

describe('risk: halts are announced as they begin', () => {
  it('publishes a critical daily-loss alert and a loss-streak warning on the close that causes them, each once', async () => {
    const config = riskConfigSchema.parse({ EXCHANGE_BASE_URL: sim.restUrl, RISK_EQUITY: '10000' });
    const alerts: Alert[] = [];
    const sub = await bus.subscribe(subject(Subjects.alert, {}), (m) => void alerts.push(m.payload), {
      durable: 'test-halt-alerts',
    });
    const service = await startRisk({ bus, db: handle.db, clock, config, log: silent });
    // The trade history so far ends with one loss (the second test's −16.16).
    expect(service.manager.current.lossStreak.losses).toBe(1);
    const roundTrip = async (positionId: string, realizedPnl: number) => {
      await publishPosition(positionId, 'opened', 0.01, 0, 0);
      await publishPosition(positionId, 'closed', 0, realizedPnl, 0);
    };
    await roundTrip('halt-1', -600);
    const halts = () => alerts.filter((a) => a.kind === 'risk_halt').map((a) => a.labels.halt);
    await waitFor(() => halts().length === 2, 'two halt alerts');
    expect(alerts.filter((a) => a.kind === 'risk_halt')).toEqual([
      expect.objectContaining({ severity: 'critical', labels: { service: 'risk', halt: 'daily_loss' } }),
      expect.objectContaining({ severity: 'warning', labels: { service: 'risk', halt: 'loss_streak' } }),
    ]);
    expect(alerts[0]?.message).toMatch(/^entries halted \(daily loss\): lost 600 today against a limit of/);
    // A third loss lengthens the pause (told again); the day's halt is already known.
    await roundTrip('halt-2', -10);
    await waitFor(() => halts().length === 3, 'the longer pause told');
    expect(halts()).toEqual(['daily_loss', 'loss_streak', 'loss_streak']);
    expect(alerts[2]?.message).toContain('3 losses in a row');
    await sub.stop();
    await service[Symbol.asyncDispose]();
  });

  it('ends the streak at a trade closed at its entry price, which lost only its fees, live and after a restart', async () => {
    const config = riskConfigSchema.parse({ EXCHANGE_BASE_URL: sim.restUrl, RISK_EQUITY: '10000' });
    const service = await startRisk({ bus, db: handle.db, clock, config, log: silent });
    // The trade history so far ends with the previous test's three losses.
    expect(service.manager.current.lossStreak.losses).toBe(3);
    // Bought 0.01 at 58,001.04 and sold there: 0.58 taker fee each way, nothing realised.
    await publishPosition('at-entry', 'opened', 0.01, 0, 0.58);
    await publishPosition('at-entry', 'closed', 0, 0, 1.16);
    await waitFor(() => service.manager.current.lossStreak.losses === 0, 'the breakeven ends the streak');
    await service[Symbol.asyncDispose]();

    const restarted = await startRisk({ bus, db: handle.db, clock, config, log: silent });
    const last = (await new ClosedTradeRepository(handle.db).all()).at(-1);
    expect([last?.pnl, last?.fees]).toEqual([-1.16, 1.16]);
    expect(restarted.manager.current.lossStreak).toEqual({ losses: 0, lastLossTime: null });
    await restarted[Symbol.asyncDispose]();
  });
});
