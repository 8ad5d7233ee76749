import {
  type OrderCommand,
  type OrderEvent,
  type PositionEvent,
  Subjects,
  subject,
} from '@ballast/contracts';
import { sumLots } from '@ballast/core';
import { OrderSliceRepository } from '@ballast/db';
import { startVenueFixture, type VenueFixture } from '@ballast/exchange-sim/testing';
import { marketCommand, recordedDepthSnapshot, waitFor } from '@ballast/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { showPaperBook, startPaperOrders } from './testing/paper-orders';
import { recordOrderFlow } from './testing/recorded-venue';

// The paper broker refuses a market order above Binance's MARKET_LOT_SIZE maxQty (100.05381873 BTC
// for BTCUSDT in the simulator's recorded exchangeInfo, binance-rest/2021-10-12_spot_api-v3-exchangeInfo.json.gz),
// as Binance does. Its book is the recorded binance-spot-ws/2021-04-04_rest_depth_BTCUSDT_limit1000.json
// at its prices, every size fifty times as recorded (best ask 126 BTC, best bid 80 BTC), so a 250 BTC
// TWAP and its exit fill whole, each slice in a level or two (a fill per level, each booked).
const MARKET_MAX = 100.05381873;
const clock = { now: () => Date.now() };
let fixture: VenueFixture;
const events: OrderEvent[] = [];
const positions: PositionEvent[] = [];
const TERMINAL = new Set(['filled', 'cancelled', 'rejected', 'aborted']);

beforeAll(async () => {
  fixture = await startVenueFixture({ label: 'orders_twap_market_max' });
  await recordOrderFlow(fixture, events, positions);
});

afterAll(async () => {
  await fixture?.close();
});

const deepBook = () => {
  const book = recordedDepthSnapshot('BTCUSDT', Date.now());
  const deeper = (levels: typeof book.asks) => levels.map(([p, q]): [number, number] => [p, q * 50]);
  return { ...book, bids: deeper(book.bids), asks: deeper(book.asks) };
};

async function start(env: Record<string, string> = {}) {
  const orders = await startPaperOrders(fixture, {
    PAPER_INITIAL_BALANCES: '{"USDT":30000000}',
    PAPER_FEES_IN: 'quote',
    MAX_SLIPPAGE_BPS: '200',
    ORDERS_BOOK_MAX_AGE_MS: '600000',
    ...env,
  });
  await showPaperBook(fixture, orders.service.venue, deepBook());
  return orders;
}

const twap = (intentId: string, side: 'buy' | 'sell', qty: number, overrides: Partial<OrderCommand> = {}) =>
  marketCommand(intentId, side, qty, {
    execution: { algo: 'twap', slices: 2, durationMs: 1_000 },
    ...overrides,
  } as Partial<Extract<OrderCommand, { kind: 'submit' }>>);

/** The slices of `intentId` once every one is over, in slice order. */
const settled = (intentId: string) =>
  waitFor(
    async () => {
      const all = (await new OrderSliceRepository(fixture.handle.db, clock).all())
        .filter((s) => s.intentId === intentId)
        .sort((a, b) => a.slice - b.slice);
      return all.length > 0 && all.every((s) => TERMINAL.has(s.status)) ? all : undefined;
    },
    `${intentId} over`,
    { timeoutMs: 60_000 },
  );

const publish = (command: OrderCommand) => fixture.bus.publish(subject(Subjects.orderCommand, {}), command);

it('a TWAP entry and exit whose asked slices are above the market maximum fill their 250 BTC exactly', {
  timeout: 90_000,
}, async () => {
  const orders = await start();
  try {
    // Asked as 2 slices of 125 BTC, each of which the venue refuses whole.
    await publish(twap('tmm-entry', 'buy', 250));
    const entry = await settled('tmm-entry');
    expect(entry.map((s) => [s.status, s.qty])).toEqual([
      ['filled', 83.33333],
      ['filled', 83.33333],
      ['filled', 83.33334],
    ]);
    expect(sumLots(entry.map((s) => s.filledQty))).toBe(250);
    await waitFor(() => positions.find((p) => p.qty === 250 && p.side === 'long'), 'long 250');

    await publish(twap('tmm-exit', 'sell', 250, { reduceOnly: true }));
    const exit = await settled('tmm-exit');
    expect(exit.every((s) => s.status === 'filled' && s.qty <= MARKET_MAX)).toBe(true);
    expect(sumLots(exit.map((s) => s.filledQty))).toBe(250);
    await waitFor(() => positions.find((p) => p.status === 'closed'), 'flat');
    const ours = (id: string) => events.filter((e) => e.intentId === id);
    expect([...ours('tmm-entry'), ...ours('tmm-exit')].filter((e) => e.status === 'rejected')).toEqual([]);
  } finally {
    await orders.stop();
  }
});

it('a direct market entry above the market maximum is routed to a TWAP within it (SLIPPAGE_ACTION=twap)', {
  timeout: 60_000,
}, async () => {
  const orders = await start({ SLIPPAGE_ACTION: 'twap', TWAP_SLICES: '2', TWAP_DURATION_MS: '1000' });
  try {
    // 150 BTC slips under 200 bps on the deep book: only its size makes it go as a TWAP.
    await publish(marketCommand('tmm-direct', 'buy', 150));
    const slices = await settled('tmm-direct');
    expect(slices.map((s) => [s.status, s.qty])).toEqual([
      ['filled', 75],
      ['filled', 75],
    ]);
  } finally {
    await orders.stop();
  }
});
