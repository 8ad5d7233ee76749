import type { Clock, PositionEvent, SignalDecision } from '@ballast/contracts';
import { derivedId, resumeCommand, Subjects, subject } from '@ballast/contracts';
import { ClosedTradeRepository, RiskDecidedRepository } from '@ballast/db';
import { waitFor } from '@ballast/testkit';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { riskConfigSchema } from './config';
import { equityBaselineKey } from './equity-baseline-store';
import { feedStatesKey } from './feed-states-store';
import { startRisk } from './service';
import { BTC_RULES, btcBookSnapshot, btcSignal, trendBtcOpened } from './testing/btc-fixtures';
import { recordBtcFill } from './testing/recorded-orders';
import { useRiskBed } from './testing/risk-bed';

// README (Scaling): "risk, orders, stops: one per trading account". A Binance and a Bybit account run
// two risks on one bus and one database: Binance's on the simulator (10,000 of equity), Bybit's on a
// venue of the same BTC-USDT rules (1,000,000 of equity). The per-market cap is 15% of equity, so a
// Binance entry sized with Bybit's equity would be 100 times too large.
const clock: Clock = { now: () => Date.now() };
const silent = { info() {}, warn() {} };
const bed = useRiskBed('risk-two-venues');

type Risk = Awaited<ReturnType<typeof startRisk>>;
const running: Risk[] = [];

const bybitVenue = {
  id: 'bybit',
  marketRules: async () => BTC_RULES,
  balances: async () => ({ USDT: 1_000_000 }),
  orderBook: async () => {
    throw new Error('no REST book in this test: the streamed one is published');
  },
};

async function startBinance(): Promise<Risk> {
  const risk = await bed.startRisk(clock);
  running.push(risk);
  return risk;
}

async function startBybit(): Promise<Risk> {
  // Its one snapshot, published at start, sizes every Bybit entry: on a loaded host Binance's twelve
  // signals took longer than the 2 s default age, and the entry went to the (absent) REST depth.
  const config = riskConfigSchema.parse({
    RISK_VENUE: 'bybit',
    RISK_EQUITY: '1000000',
    RISK_BOOK_MAX_AGE_MS: '600000',
  });
  const risk = await startRisk({
    bus: bed.bus,
    db: bed.handle.db,
    clock,
    config,
    log: silent,
    venue: bybitVenue,
  });
  running.push(risk);
  await bed.bus.publish(subject(Subjects.book, { exchange: 'bybit', symbol: 'BTC-USDT' }), {
    ...btcBookSnapshot(clock.now()),
    exchange: 'bybit',
  });
  return risk;
}

const signalOn = (exchange: string, id: string): SignalDecision => {
  const s = btcSignal(id);
  return { ...s, candidate: { ...s.candidate, exchange } };
};

const positionOn = (exchange: string, qty: number, fees: number): PositionEvent => ({
  ...trendBtcOpened({ qty, entry: 58_000 }),
  positionId: `${exchange}:BTC-USDT`,
  exchange,
  fees,
});

/** The intents a risk decided, and the intent ids of candidates, to compare them with. */
const decidedIds = (risk: Risk) => risk.manager.current.decided.map((d) => d.intentId).sort();
const intentIds = (candidateIds: string[]) =>
  candidateIds.map((id) => `in-${derivedId('intent', id)}`).sort();

// The bed forgets Binance's account before each test; Bybit's is forgotten here.
beforeEach(async () => {
  await new RiskDecidedRepository(bed.handle.db).clear('bybit');
  await bed.handle.db
    .deleteFrom('bot_state')
    .where('key', 'in', [equityBaselineKey('bybit'), feedStatesKey('bybit')])
    .execute();
});

afterEach(async () => {
  for (const risk of running.splice(0).reverse()) await risk[Symbol.asyncDispose]();
});

describe('a risk per trading account on one bus', () => {
  it("each candidate is decided by its venue's risk, with that account's equity", async () => {
    const binance = await startBinance();
    const bybit = await startBybit();
    const binanceIds = Array.from({ length: 12 }, (_, i) => `two-binance-${i}`);
    const bybitIds = ['two-bybit-0', 'two-bybit-1'];
    for (const id of binanceIds)
      await bed.bus.publish(subject(Subjects.signalDecision, {}), signalOn('binance', id));
    for (const id of bybitIds)
      await bed.bus.publish(subject(Subjects.signalDecision, {}), signalOn('bybit', id));
    for (const id of [...binanceIds, ...bybitIds]) await bed.decisionOn(id);

    expect(decidedIds(binance)).toEqual(intentIds(binanceIds));
    expect(decidedIds(bybit)).toEqual(intentIds(bybitIds));
    const approved = bed.decisions.flatMap((d) => (d.approved ? [d.intent] : []));
    // Binance's first entry takes its 15% of 10,000 (0.02586 BTC); the rest are refused on the held market.
    expect(approved.filter((i) => i.exchange === 'binance').map((i) => i.qty)).toEqual([0.02586]);
    // Bybit's is sized with Bybit's equity: 15% of 1,000,000.
    expect(approved.filter((i) => i.exchange === 'bybit').map((i) => i.qty)).toEqual([2.58616]);
    // One decision per candidate: neither risk published on the other's.
    expect(bed.decisions.length).toBe(binanceIds.length + bybitIds.length);
  }, 60_000);

  it("another venue's position events leave this account's equity and positions as they were", async () => {
    const binance = await startBinance();
    const bybit = await startBybit();
    // Several Bybit events, each paying fees, then one Binance event: consumers deliver in order, so once
    // Binance's risk holds its own position it has been handed every Bybit event before it.
    for (let fees = 10; fees <= 40; fees += 10)
      await bed.bus.publish(subject(Subjects.positionEvent, {}), positionOn('bybit', 1, fees));
    await bed.bus.publish(subject(Subjects.positionEvent, {}), positionOn('binance', 0.01, 0));
    await waitFor(() => binance.manager.current.positions.length > 0, "binance's position");
    // Each account's BTC bought at 58,000 is marked at its book's bid (ADR 19); Bybit's also less its fees.
    const gain = btcBookSnapshot(0).bids[0]![0] - 58_000;
    const bybitMarked = 1_000_000 - 40 + gain;
    await waitFor(() => bybit.manager.current.equity === bybitMarked, "bybit's fees counted");

    expect(binance.manager.current.equity).toBe(10_000 + 0.01 * gain);
    expect(binance.manager.current.positions.map((p) => p.positionId)).toEqual(['binance:BTC-USDT']);
    expect(bybit.manager.current.positions.map((p) => p.positionId)).toEqual(['bybit:BTC-USDT']);
  }, 60_000);

  it("a restarting risk loads its own venue's positions and closed trades only", async () => {
    const db = bed.handle.db;
    const time = clock.now() - 60_000;
    await recordBtcFill(
      db,
      { clientOrderId: 'bybit-held', strategy: 'trend', side: 'buy', qty: 1, time, exchange: 'bybit' },
      58_000,
    );
    // Four Bybit losses: counted for Binance they would pause it (loss streak) and cut its configured equity.
    for (let i = 0; i < 4; i++)
      await new ClosedTradeRepository(db).record({
        tradeKey: `bybit-loss-${i}`,
        strategy: 'trend',
        exchange: 'bybit',
        symbol: 'BTC-USDT',
        pnl: -1_000,
        fees: 10,
        entryTime: time - 3_600_000,
        closeTime: time + i,
      });
    const binance = await startBinance();
    const bybit = await startBybit();

    expect(binance.manager.current.positions).toEqual([]);
    expect(binance.manager.current.lossStreak.losses).toBe(0);
    expect(binance.manager.current.equity).toBe(10_000);
    expect(bybit.manager.current.positions.map((p) => [p.positionId, p.qty])).toEqual([
      ['bybit:BTC-USDT', 1],
    ]);
    expect(bybit.manager.current.lossStreak.losses).toBe(4);
  }, 60_000);

  it('a kill engages every risk', async () => {
    const binance = await startBinance();
    const bybit = await startBybit();
    await bed.bus.publish(subject(Subjects.kill, {}), { reason: 'test', flatten: false, requestedBy: 'op' });
    await waitFor(
      () => binance.manager.current.kill.engaged && bybit.manager.current.kill.engaged,
      'the kill engaged in both risks',
    );
    await bed.bus.publish(subject(Subjects.resume, {}), resumeCommand({ reason: 'test', requestedBy: 'op' }));
    await waitFor(
      () => !binance.manager.current.kill.engaged && !bybit.manager.current.kill.engaged,
      'the resume lifting it in both',
    );
  }, 60_000);
});
