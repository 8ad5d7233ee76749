import {
  type Clock,
  type Fill,
  type OrderEvent,
  type PositionEvent,
  Subjects,
  subject,
} from '@ballast/contracts';
import { sumLots } from '@ballast/core';
import { PaperAccountRepository } from '@ballast/db';
import { startVenueFixture, type VenueFixture } from '@ballast/exchange-sim/testing';
import { marketCommand, waitFor } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPaperOrdersOnRecordedBook } from './testing/paper-orders';

// The paper broker's book is the recorded binance-spot-ws/2021-04-04_rest_depth_BTCUSDT_limit1000.json,
// published as md.book; the market rules come from the simulator's recorded exchangeInfo
// (binance-rest/2021-10-12_spot_api-v3-exchangeInfo.json.gz). The simulator takes no orders here.
const clock: Clock = { now: () => Date.now() };
let fixture: VenueFixture;
const events: OrderEvent[] = [];
const positions: PositionEvent[] = [];
/** The correlation id each order and position event travelled with, by client order id / position status. */
const chains = { orders: new Map<string, Set<string>>(), positions: [] as string[] };

beforeAll(async () => {
  fixture = await startVenueFixture({ label: 'orders_paper' });
  await fixture.bus.subscribe(
    subject(Subjects.orderEvent, {}),
    (m) => {
      events.push(m.payload);
      const seen = chains.orders.get(m.payload.clientOrderId) ?? new Set();
      chains.orders.set(m.payload.clientOrderId, seen.add(m.correlationId));
    },
    {
      durable: 'test-order-events',
    },
  );
  await fixture.bus.subscribe(
    subject(Subjects.positionEvent, {}),
    (m) => {
      positions.push(m.payload);
      chains.positions.push(m.correlationId);
    },
    {
      durable: 'test-position-events',
    },
  );
});

afterAll(async () => {
  await fixture?.close();
});

// The paper broker knows the market only from md.book: the recorded snapshot is published on start.
const start = () =>
  startPaperOrdersOnRecordedBook(fixture, {
    PAPER_INITIAL_BALANCES: '{"USDT":200000}',
    PAPER_TAKER_FEE: '0.001',
    PAPER_MAKER_FEE: '0.001',
    // The figures below are worked out with every fee in USDT.
    PAPER_FEES_IN: 'quote',
  });

const fillsOf = (
  clientOrderId: string,
): Array<Pick<Fill, 'price' | 'qty' | 'fee' | 'liquidity' | 'feeAsset'>> =>
  events
    .filter((e) => e.clientOrderId === clientOrderId && e.fill)
    .map((e) => e.fill as Fill)
    .map(({ price, qty, fee, liquidity, feeAsset }) => ({ price, qty, fee, liquidity, feeAsset }));

const feesOf = (clientOrderId: string): number =>
  Number(
    fillsOf(clientOrderId)
      .reduce((sum, f) => sum + f.fee, 0)
      .toFixed(8),
  );

/** A market order by command; resolves with the position event its last fill brought. */
async function roundTripLeg(qty: number, side: 'buy' | 'sell', intentId: string): Promise<PositionEvent> {
  const seen = positions.length;
  await fixture.bus.publish(
    subject(Subjects.orderCommand, {}),
    marketCommand(intentId, side, qty, { reduceOnly: side === 'sell' }),
  );
  await waitFor(
    () => events.find((e) => e.clientOrderId === `bl-${intentId}` && e.status === 'filled'),
    `${intentId} to fill`,
  );
  const fills = fillsOf(`bl-${intentId}`).length;
  return waitFor(
    () => (positions.length >= seen + fills ? positions.at(-1) : undefined),
    `${intentId}'s position events`,
  );
}

describe('orders service in paper mode, fed by md.book from the bus', () => {
  it('fills an approved decision against the recorded book with exact fees and balances, across a restart', {
    timeout: 60_000,
  }, async () => {
    const first = await start();
    const decision = await fixture.bus.publish(subject(Subjects.riskDecision, {}), {
      approved: true,
      intent: {
        intentId: 'paper-buy',
        candidateId: 'cand-paper-buy',
        strategy: 'test',
        exchange: 'binance',
        symbol: 'BTC-USDT',
        positionSide: 'long',
        side: 'buy',
        qty: 2.526,
        entry: 58001.04,
        stop: 57000,
        takeProfits: [60000],
        riskAmount: 2526,
      },
    });
    const buy = await waitFor(
      () => events.find((e) => e.intentId === 'paper-buy' && e.status === 'filled'),
      'the paper buy to fill',
    );
    // By hand, walking the recorded asks: 2.524693 @ 58001.04, 0.000532 @ 58001.06, 0.000775 @ 58004.92.
    // Taker fee 0.1 % of each fill's notional, in USDT, rounded to 1e-8:
    //   146434.81968072 → 146.43481968;  30.85656392 → 0.03085656;  44.953813 → 0.04495381.
    expect(fillsOf(buy.clientOrderId)).toEqual([
      { price: 58001.04, qty: 2.524693, fee: 146.43481968, liquidity: 'taker', feeAsset: 'USDT' },
      { price: 58001.06, qty: 0.000532, fee: 0.03085656, liquidity: 'taker', feeAsset: 'USDT' },
      { price: 58004.92, qty: 0.000775, fee: 0.04495381, liquidity: 'taker', feeAsset: 'USDT' },
    ]);
    // Notional 146510.63005764 + fees 146.51063005 = 146657.14068769 spent from 200000.
    const afterBuy = { USDT: 53342.85931231, BTC: 2.526 };
    expect(await first.service.venue.balances()).toEqual(afterBuy);
    await first.stop();

    const accounts = new PaperAccountRepository(fixture.handle.db, clock);
    expect(await accounts.loadBalances('binance')).toEqual(afterBuy);
    const second = await start();
    expect(await second.service.venue.balances()).toEqual(afterBuy);
    const sell = await fixture.bus.publish(subject(Subjects.orderCommand, {}), {
      kind: 'submit',
      intentId: 'paper-sell',
      clientOrderId: 'bl-paper-sell',
      exchange: 'binance',
      symbol: 'BTC-USDT',
      side: 'sell',
      type: 'market',
      qty: 1,
      price: null,
      triggerPrice: null,
      reduceOnly: false,
      maxSlippageBps: null,
      execution: { algo: 'direct' },
    });
    await waitFor(
      () => events.find((e) => e.clientOrderId === 'bl-paper-sell' && e.status === 'filled'),
      'the paper sell to fill',
    );
    // The best bid holds 1.601074 @ 58001.03: one fill, fee 58.00103; USDT 53342.85931231 + 58001.03 − 58.00103.
    expect(fillsOf('bl-paper-sell')).toEqual([
      { price: 58001.03, qty: 1, fee: 58.00103, liquidity: 'taker', feeAsset: 'USDT' },
    ]);
    const afterSell = { USDT: 111285.88828231, BTC: 1.526 };
    // The sell carries no strategy, yet the position stays the strategy's that bought it, across the restart.
    const changed = await waitFor(
      () => positions.find((p) => p.status === 'changed' && p.qty === 1.526),
      'the position event of the sell',
    );
    expect(changed).toMatchObject({ strategy: 'test', side: 'long', realizedPnl: expect.any(Number) });
    // Each names the intent whose fill it reports (stops tell an add from the opening by it).
    expect(positions.find((p) => p.status === 'opened')?.intentId).toBe('paper-buy');
    expect(changed.intentId).toBe('paper-sell');
    expect(positions.map((p) => p.strategy)).toEqual(positions.map(() => 'test'));
    // Every order and position event of the trade joins the decision's chain (the gateway joins on it),
    // the sell's order events that of the command that asked for it.
    expect([...(chains.orders.get(buy.clientOrderId) ?? [])]).toEqual([decision.correlationId]);
    expect([...(chains.orders.get('bl-paper-sell') ?? [])]).toEqual([sell.correlationId]);
    expect(chains.positions).toEqual(positions.map(() => decision.correlationId));
    expect(await second.service.venue.balances()).toEqual(afterSell);
    expect(await accounts.loadBalances('binance')).toEqual(afterSell);

    // A limit buy below the best ask rests; a trade printed through its price on md.trade fills it as maker.
    await fixture.bus.publish(subject(Subjects.orderCommand, {}), {
      kind: 'submit',
      intentId: 'paper-limit',
      clientOrderId: 'bl-paper-limit',
      exchange: 'binance',
      symbol: 'BTC-USDT',
      side: 'buy',
      type: 'limit',
      qty: 0.1,
      price: 58000,
      triggerPrice: null,
      reduceOnly: false,
      maxSlippageBps: null,
      execution: { algo: 'direct' },
    });
    await waitFor(
      () => events.find((e) => e.clientOrderId === 'bl-paper-limit' && e.status === 'accepted'),
      'the limit to rest',
    );
    await fixture.bus.publish(subject(Subjects.trade, { exchange: 'binance', symbol: 'BTC-USDT' }), {
      exchange: 'binance',
      symbol: 'BTC-USDT',
      tradeId: 'recorded-like-1',
      price: 57999.99,
      size: 0.5,
      side: 'sell',
      time: clock.now(),
    });
    await waitFor(
      () => events.find((e) => e.clientOrderId === 'bl-paper-limit' && e.status === 'filled'),
      'the resting limit to fill',
    );
    // 0.1 @ 58000 = 5800, maker fee 0.1 % = 5.8: USDT 111285.88828231 − 5805.8.
    expect(fillsOf('bl-paper-limit')).toEqual([
      { price: 58000, qty: 0.1, fee: 5.8, liquidity: 'maker', feeAsset: 'USDT' },
    ]);
    const afterLimit = { USDT: 105480.08828231, BTC: 1.626 };
    expect(await second.service.venue.balances()).toEqual(afterLimit);
    expect(await accounts.loadBalances('binance')).toEqual(afterLimit);

    // Close it all, then a second round trip on the same market: the position id's running figures
    // span both trades, each close reports its own trade's.
    // Asked to sell 5 reduce-only, it sells the 1.626 held: on spot the venue would sell any coins.
    // The limit's own position event first: one arriving late would count as the close's.
    await waitFor(() => positions.at(-1)?.qty === afterLimit.BTC, "the limit fill's position event");
    const closeAll = await roundTripLeg(5, 'sell', 'paper-close-1');
    expect(sumLots(fillsOf('bl-paper-close-1').map((f) => f.qty))).toBe(1.626);
    const reopen = await roundTripLeg(0.1, 'buy', 'paper-reopen');
    const closeAgain = await roundTripLeg(0.1, 'sell', 'paper-close-2');
    expect([closeAll.status, reopen.status, closeAgain.status]).toEqual(['closed', 'opened', 'closed']);
    expect(reopen.trade).toEqual({ realizedPnl: 0, fees: feesOf('bl-paper-reopen') });
    expect(closeAgain.trade?.fees).toBeCloseTo(feesOf('bl-paper-reopen') + feesOf('bl-paper-close-2'), 8);
    expect(closeAgain.trade?.realizedPnl).toBeCloseTo(closeAgain.realizedPnl - closeAll.realizedPnl, 8);
    expect(closeAll.trade?.realizedPnl).toBeCloseTo(closeAll.realizedPnl, 8);
    // Flat: a reduce-only sell has nothing to reduce and is refused, naming why.
    await fixture.bus.publish(
      subject(Subjects.orderCommand, {}),
      marketCommand('paper-nothing', 'sell', 0.1, { reduceOnly: true }),
    );
    const refused = await waitFor(
      () => events.find((e) => e.clientOrderId === 'bl-paper-nothing' && e.status === 'rejected'),
      'the reduce-only sell refused',
    );
    expect(refused).toMatchObject({ reason: 'invalid_order', filledQty: 0 });
    expect(refused.detail).toContain('no position of ours to reduce');
    await second.stop();
  });
});
