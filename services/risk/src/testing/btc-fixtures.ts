import type { BookUpdate, OrderEvent, PositionEvent, SignalDecision } from '@ballast/contracts';
import { approvedBtcLong, recordedDepthSnapshot } from '@ballast/testkit';

// Book: binance-spot-ws/2021-04-04_rest_depth_BTCUSDT_limit1000.json; the rules are the simulator's for
// BTCUSDT, from its recorded exchangeInfo (binance-rest/2021-10-12_spot_api-v3-exchangeInfo.json.gz).
const recorded = recordedDepthSnapshot('BTCUSDT', 0);

/** The recorded BTC-USDT book as levels. */
export const btcBook = { bids: recorded.bids, asks: recorded.asks };

export const BTC_RULES = { tickSize: 0.01, stepSize: 0.00001, minQty: 0.00001, minNotional: 10 };

/** The recorded book as the snapshot market-data would publish at `time`. */
export function btcBookSnapshot(time: number): BookUpdate {
  return { ...recorded, time };
}

/** An approved long BTC-USDT signal near the recorded book, 1.04% from entry to stop. */
export const btcSignal = approvedBtcLong;

// The recorded ETH-USDT book (binance-spot-ws/2021-04-04_rest_depth_ETHUSDT_limit1000.json): a long
// entered at its best ask, with a stop 1% below and a target 3% above.
const ethEntry = recordedDepthSnapshot('ETHUSDT', 0).asks[0]![0];

/** An approved long ETH-USDT signal at the recorded ETH book's best ask, 1% from entry to stop. */
export function ethSignal(id: string): SignalDecision {
  const btc = btcSignal(id);
  const [stop, target] = [ethEntry * 0.99, ethEntry * 1.03].map((p) => Number(p.toFixed(2)));
  return {
    ...btc,
    candidate: { ...btc.candidate, symbol: 'ETH-USDT', entry: ethEntry, stop: stop!, takeProfits: [target!] },
  };
}

/** The order event the orders service publishes when the venue refuses an approved BTC-USDT buy. */
export function refusedBtcBuy(intentId: string, clientOrderId: string, qty: number): OrderEvent {
  return {
    status: 'rejected',
    intentId,
    clientOrderId,
    venueOrderId: null,
    exchange: 'binance',
    symbol: 'BTC-USDT',
    side: 'buy',
    type: 'market',
    qty,
    filledQty: 0,
    avgPrice: null,
    fill: null,
    reason: 'insufficient_funds',
    detail: 'test',
  };
}

/**
 * The order event the orders service publishes for a slice of an approved BTC-USDT buy that the kill
 * switch kept from the venue (aborted before it was sent).
 */
export function killedBtcBuy(intentId: string, clientOrderId: string, qty: number): OrderEvent {
  return {
    ...refusedBtcBuy(intentId, clientOrderId, qty),
    status: 'cancelled',
    reason: 'kill_switch',
    detail: 'kill switch: test kill',
  };
}

/** Trend's BTC-USDT long opened by an approved entry's fill, as the orders service publishes it. */
export function trendBtcOpened(intent: { qty: number; entry: number }): PositionEvent {
  return {
    status: 'opened',
    positionId: 'binance:BTC-USDT',
    strategy: 'trend',
    exchange: 'binance',
    symbol: 'BTC-USDT',
    side: 'long',
    qty: intent.qty,
    avgEntry: intent.entry,
    realizedPnl: 0,
    fees: 0,
  };
}
