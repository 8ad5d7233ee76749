import { type RecordFill, Subjects, subject } from '@ballast/contracts';
import { BotStateRepository } from '@ballast/db';
import { btcSlice } from '@ballast/db/testing';
import type { SimAccount as VenueAccount } from '@ballast/exchange-sim/testing';
import { waitFor } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertedDrifts, alertKey } from './alerted-once';
import { foldPositions } from './ledger-reader';
import { buildVenue } from './service';
import { type SimRecon, simClient, simReconConfig, simSlices, startSimRecon } from './testing/sim-recon';

// Accounts unlike the main suite's (two markets, fees in the base asset), each on a simulator of its
// own with the orders service beside reconciliation. The simulator's books are binance-spot-ws/
// 2021-04-04_rest_depth_BTCUSDT_limit1000.json and 2021-04-04_rest_depth_ETHUSDT_limit1000.json, its
// filters binance-rest/2021-10-12_spot_api-v3-exchangeInfo.json.gz.
const ACCOUNT = { apiKey: 'recon-markets-key', secret: 'recon-markets-secret' };
const MARKETS = ['BTCUSDT', 'ETHUSDT'];
const clock = { now: () => Date.now() };

/** An order of ours as the order manager records it (planned, sent, the venue's answer stored), then filled unseen. */
async function missedFill(
  recon: SimRecon,
  clientOrderId: string,
  o: { symbol: string; side: 'buy' | 'sell'; qty: number; price: number },
): Promise<void> {
  const slices = simSlices(recon.fixture);
  await slices.plan([btcSlice(clientOrderId, { ...o, type: 'limit' })]);
  const ccxtSymbol = o.symbol.replace('-', '/');
  const placed = await simClient(recon.fixture, ACCOUNT).createOrder(
    ccxtSymbol,
    'limit',
    o.side,
    o.qty,
    o.price,
    {
      clientOrderId,
    },
  );
  await slices.update(clientOrderId, { status: 'open', venueOrderId: String(placed.id) });
  await recon.fixture.sim.tamper.fillSilently(o.symbol.replace('-', ''), clientOrderId);
}

async function tradeIdsOf(recon: SimRecon, clientOrderId: string): Promise<string[]> {
  const fills = ((await simSlices(recon.fixture).get(clientOrderId))?.fills ?? []) as Array<{
    tradeId: string;
  }>;
  return fills.map((f) => f.tradeId);
}

/** An account of its own for the enclosing describe: started before its tests, closed after them. */
function ownAccount(
  label: string,
  account: Omit<VenueAccount, 'apiKey' | 'secret'>,
  options?: Parameters<typeof startSimRecon>[2],
): () => SimRecon {
  let recon: SimRecon | undefined;
  beforeAll(async () => {
    recon = await startSimRecon(label, { ...ACCOUNT, ...account }, options);
  }, 240_000);
  afterAll(async () => {
    await recon?.[Symbol.asyncDispose]();
  });
  return () => {
    if (!recon) throw new Error(`${label}: the account did not start`);
    return recon;
  };
}

/**
 * A run that ingests the order's missed trade (`symbol:tradeId`) under it, follows the order (still
 * its strategy's) to filled at its limit price, and finds nothing else.
 */
async function expectIngested(recon: SimRecon, clientOrderId: string, trade: string): Promise<void> {
  const report = await recon.reconciler.run();
  expect(report.drifts.map((d) => [d.drift.kind, d.drift.key, d.outcome])).toEqual([
    ['missing_fill', `fill:${trade}`, 'applied'],
    ['order_state', `state:${clientOrderId}:filled`, 'applied'],
  ]);
  expect(report.outcome).toBe('repaired');
  const slice = await simSlices(recon.fixture).get(clientOrderId);
  expect(slice).toMatchObject({
    status: 'filled',
    filledQty: slice?.qty,
    avgPrice: slice?.price,
    strategy: 'test',
  });
}

describe('two markets numbering their trades apart', { timeout: 120_000 }, () => {
  const account = ownAccount(
    'recon_markets_ids',
    { balances: { USDT: '10000' }, symbols: MARKETS },
    { config: { RECON_SYMBOLS: 'BTC-USDT,ETH-USDT' } },
  );

  it("ingests a missed trade whose id is a recorded fill's on another market: Binance numbers trades per market", async () => {
    const recon = account();
    await missedFill(recon, 'bl-btc1', { symbol: 'BTC-USDT', side: 'buy', qty: 0.002, price: 30_000 });
    expect((await recon.reconciler.run()).outcome).toBe('repaired');
    await missedFill(recon, 'bl-eth1', { symbol: 'ETH-USDT', side: 'buy', qty: 0.5, price: 1_000 });
    await expectIngested(recon, 'bl-eth1', 'ETH-USDT:1');
    expect([await tradeIdsOf(recon, 'bl-btc1'), await tradeIdsOf(recon, 'bl-eth1')]).toEqual([['1'], ['1']]);
    expect((await recon.reconciler.run()).outcome).toBe('clean');
  });
});

describe('external orders of two markets with one order id', { timeout: 120_000 }, () => {
  const account = ownAccount(
    'recon_markets_ext',
    { balances: { USDT: '10000' }, symbols: MARKETS },
    { config: { RECON_SYMBOLS: 'BTC-USDT,ETH-USDT' } },
  );
  const externalRecords = async (recon: SimRecon) =>
    (await simSlices(recon.fixture).all())
      .filter((s) => s.clientOrderId.startsWith('ext-'))
      .map((s) => [
        s.clientOrderId,
        s.symbol,
        s.venueOrderId,
        (s.fills as Array<{ tradeId: string }>).map((f) => f.tradeId),
      ])
      .sort();
  const venueHolds = async (recon: SimRecon) => {
    const balance = (await simClient(recon.fixture, ACCOUNT).fetchBalance()) as unknown as {
      total: Record<string, number>;
    };
    return { BTC: balance.total.BTC ?? 0, ETH: balance.total.ETH ?? 0 };
  };
  const ourHoldings = async (recon: SimRecon) => {
    const folded = foldPositions(await simSlices(recon.fixture).all());
    return { BTC: folded.get('BTC-USDT')?.qty ?? 0, ETH: folded.get('ETH-USDT')?.qty ?? 0 };
  };

  it('records each under its own market: Binance numbers orders per market, so both are order 1', async () => {
    const recon = account();
    const ex = simClient(recon.fixture, ACCOUNT);
    await ex.createOrder('BTC/USDT', 'market', 'buy', 0.002, undefined, { clientOrderId: 'web_btc1' });
    await ex.createOrder('ETH/USDT', 'market', 'buy', 0.05, undefined, { clientOrderId: 'web_eth1' });
    const report = await recon.reconciler.run();
    expect(report.drifts.map((d) => [d.drift.key, d.outcome])).toEqual([
      ['fill:BTC-USDT:1', 'applied'],
      ['fill:ETH-USDT:1', 'applied'],
    ]);
    expect(report.outcome).toBe('repaired');
    expect(await externalRecords(recon)).toEqual([
      ['ext-BTC-USDT-1', 'BTC-USDT', '1', ['1']],
      ['ext-ETH-USDT-1', 'ETH-USDT', '1', ['1']],
    ]);
    expect(await ourHoldings(recon)).toEqual(await venueHolds(recon));
    expect((await recon.reconciler.run()).outcome).toBe('clean');
  });

  it('keeps a record named by the venue order id alone, as before: its trade is not recorded again', async () => {
    const recon = account();
    await simClient(recon.fixture, ACCOUNT).createOrder('ETH/USDT', 'market', 'buy', 0.05, undefined, {
      clientOrderId: 'web_eth2',
    });
    // Recorded as reconciliation recorded an external order before it named them per market.
    const venue = buildVenue(simReconConfig(recon.fixture, ACCOUNT));
    const trade = (await venue.tradesSince('ETH-USDT', null)).trades.find((t) => t.venueOrderId === '2');
    if (!trade) throw new Error('the venue shows no trade of ETH-USDT order 2');
    const { tradeId, price, qty, fee, feeAsset, liquidity, time } = trade;
    const command: RecordFill = {
      kind: 'record_fill',
      origin: 'venue_trade',
      clientOrderId: 'ext-2',
      intentId: 'recon:external:2',
      venueOrderId: '2',
      exchange: 'binance',
      symbol: 'ETH-USDT',
      side: 'buy',
      fill: { tradeId, price, qty, fee, feeAsset, liquidity, time },
    };
    await recon.fixture.bus.publish(subject(Subjects.orderCommand, {}), command);
    await waitFor(
      async () => ((await simSlices(recon.fixture).get('ext-2'))?.fills ?? []).length === 1,
      'the fill recorded under ext-2',
    );
    const report = await recon.reconciler.run();
    expect([report.outcome, report.drifts]).toEqual(['clean', []]);
    expect(await externalRecords(recon)).toEqual([
      ['ext-2', 'ETH-USDT', '2', [tradeId]],
      ['ext-BTC-USDT-1', 'BTC-USDT', '1', ['1']],
      ['ext-ETH-USDT-1', 'ETH-USDT', '1', ['1']],
    ]);
    expect(await ourHoldings(recon)).toEqual(await venueHolds(recon));
  });
});

describe('fees taken in the base asset', { timeout: 120_000 }, () => {
  // Binance without BNB: a buy pays its fee in the asset it buys.
  const account = ownAccount('recon_markets_fee', { balances: { USDT: '10000' }, feesIn: 'received' });

  it('ingests a missed buy whose fee was paid in BTC and sets no position: our fold holds what the venue holds', async () => {
    const recon = account();
    await missedFill(recon, 'bl-fee1', { symbol: 'BTC-USDT', side: 'buy', qty: 0.1, price: 30_000 });
    await expectIngested(recon, 'bl-fee1', 'BTC-USDT:1');
    const balance = (await simClient(recon.fixture, ACCOUNT).fetchBalance()) as unknown as {
      total: Record<string, number>;
    };
    const ours = foldPositions(await simSlices(recon.fixture).all()).get('BTC-USDT');
    expect([balance.total.BTC, ours?.qty]).toEqual([0.0999, 0.0999]);
    expect((await recon.reconciler.run()).outcome).toBe('clean');
  });
});

describe('trade history skipped, and a market first traded after the first run', { timeout: 120_000 }, () => {
  const account = ownAccount(
    'recon_markets_history',
    { balances: { USDT: '10000' }, symbols: MARKETS },
    {
      // Reconciliation reads BTC-USDT from its first run; ETH-USDT only once an order of ours trades it.
      config: { RECON_SYMBOLS: 'BTC-USDT', RECON_SKIP_TRADE_HISTORY: 'true' },
      // The account's past on ETH-USDT, from before Ballast: bought and sold again (ETH trades 1 and 2).
      beforeStart: async (fixture) => {
        const ex = simClient(fixture, ACCOUNT);
        await ex.createOrder('ETH/USDT', 'market', 'buy', 0.01, undefined, { clientOrderId: 'web_h1' });
        await ex.createOrder('ETH/USDT', 'market', 'sell', 0.01, undefined, { clientOrderId: 'web_h2' });
      },
    },
  );

  it('ingests a missed fill on that market and still skips its trades from before the first run', async () => {
    const recon = account();
    expect(recon.first.outcome).toBe('clean');
    await missedFill(recon, 'bl-eth1', { symbol: 'ETH-USDT', side: 'buy', qty: 0.5, price: 1_000 });
    await expectIngested(recon, 'bl-eth1', 'ETH-USDT:3');
    const ours = foldPositions(await simSlices(recon.fixture).all()).get('ETH-USDT');
    expect([ours?.qty, ours?.avgEntry]).toEqual([0.5, 1_000]);
    expect((await recon.reconciler.run()).outcome).toBe('clean');
  });
});

describe('a market first traded just after the first run, history skipped, our clock 10 s ahead of the venue', {
  timeout: 120_000,
}, () => {
  const account = ownAccount(
    'recon_markets_history_skew',
    { balances: { USDT: '10000' }, symbols: MARKETS },
    {
      config: { RECON_SKIP_TRADE_HISTORY: 'true' },
      // The host's clock 10 s ahead: a trade made just after the first run is stamped (by the venue)
      // before that run's start as timed by ours.
      clock: { now: () => Date.now() + 10_000 },
    },
  );

  it('ingests the missed fill, not taken for the account past', async () => {
    const recon = account();
    expect(recon.first.outcome).toBe('clean');
    await missedFill(recon, 'bl-eth4', { symbol: 'ETH-USDT', side: 'buy', qty: 0.5, price: 1_000 });
    await expectIngested(recon, 'bl-eth4', 'ETH-USDT:1');
  });
});

/**
 * A market reconciliation reads from its first run (BTC-USDT) and one it first reads once an order of
 * ours trades it (ETH-USDT), whose past (a 0.01 ETH buy from before Ballast) is in the first run's
 * balances already; `clock`, when given, is reconciliation's own.
 */
function firstReadAccount(label: string, clock?: { now: () => number }): () => SimRecon {
  return ownAccount(
    label,
    { balances: { USDT: '10000' }, symbols: MARKETS },
    {
      config: { RECON_SYMBOLS: 'BTC-USDT' },
      ...(clock ? { clock } : {}),
      beforeStart: async (fixture) => {
        await simClient(fixture, ACCOUNT).createOrder('ETH/USDT', 'market', 'buy', 0.01, undefined, {
          clientOrderId: 'web_h1',
        });
      },
    },
  );
}

/** A missed 0.5 ETH buy ingested beside the past one, and no balance difference: the past counted once. */
async function expectPastCountedOnce(recon: SimRecon, clientOrderId: string): Promise<void> {
  expect(recon.first.outcome).toBe('clean');
  await missedFill(recon, clientOrderId, { symbol: 'ETH-USDT', side: 'buy', qty: 0.5, price: 1_000 });
  const report = await recon.reconciler.run();
  expect(report.drifts.map((d) => [d.drift.kind, d.outcome])).toEqual([
    ['missing_fill', 'applied'],
    ['missing_fill', 'applied'],
    ['order_state', 'applied'],
  ]);
  expect(report.outcome).toBe('repaired');
  expect(foldPositions(await simSlices(recon.fixture).all()).get('ETH-USDT')?.qty).toBe(0.51);
  expect((await recon.reconciler.run()).outcome).toBe('clean');
}

describe('a market first read after the first run, with trade history (not skipped)', {
  timeout: 120_000,
}, () => {
  const account = firstReadAccount('recon_markets_first_read');

  it('does not count the trades before the baseline was read a second time: no balance difference', async () => {
    await expectPastCountedOnce(account(), 'bl-eth2');
  });
});

describe('a market first read after the first run, our clock 10 s behind the venue', {
  timeout: 120_000,
}, () => {
  // The past trade is stamped, by the venue, after the first balances read as timed by our clock.
  const account = firstReadAccount('recon_markets_first_read_skew', { now: () => Date.now() - 10_000 });

  it('counts the trade in the first balances once: the balance read is timed on the venue clock', async () => {
    await expectPastCountedOnce(account(), 'bl-eth3');
  });
});

describe('coins held apart from trading, some of them withdrawn', { timeout: 120_000 }, () => {
  const account = ownAccount(
    'recon_markets_holdings',
    { balances: { USDT: '10000', BTC: '0.5' } },
    { config: { RECON_BASE_HOLDINGS: '{"BTC":0.5}' } },
  );

  it('never records a spot short: the holdings exceed the balance, for the operator', async () => {
    const recon = account();
    expect(recon.first.outcome).toBe('clean');
    recon.fixture.sim.tamper.moveBalance('BTC', '-0.1');
    const alerted = alertedDrifts(new BotStateRepository(recon.fixture.handle.db, clock), 'binance');
    for (const run of [1, 2]) {
      // Found again on the second run: nothing of ours explains it, nothing of ours changed.
      const report = await recon.reconciler.run();
      expect([run, report.drifts.map((d) => [d.drift.kind, d.drift.action, d.outcome])]).toEqual([
        run,
        [
          ['position_unexplained', 'await_operator', 'noted'],
          ['balance', 'flag', 'noted'],
        ],
      ]);
      const drift = report.drifts[0]?.drift;
      expect(drift).toMatchObject({ reason: 'holdings_exceed_balance', venue: -0.1 });
      expect(report).toMatchObject({ outcome: 'unreconciled', status: 'unreconciled' });
      // Remembered as alerted: runs past the bus's duplicate window (every 30 s, for hours) say nothing again.
      expect(drift && (await alerted.isNew(alertKey(drift), true))).toBe(false);
    }
    const all = await simSlices(recon.fixture).all();
    expect(all.filter((s) => s.clientOrderId.startsWith('recon-adj-'))).toEqual([]);
    expect(foldPositions(all).get('BTC-USDT')?.qty ?? 0).toBe(0);
  });
});
