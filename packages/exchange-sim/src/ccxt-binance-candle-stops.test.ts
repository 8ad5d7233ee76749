import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExchangeSim } from './index';
import { binanceClient, replayedCandles, startCandleSim } from './testing';

// The simulator replays the real BTCUSDT 1h candles (binance-spot-ohlcv/BTCUSDT-1h.csv.gz) from
// 2021-05-10 00:00 UTC with no recorded book. The 20:00 bar opened at 55,733.76 (the 19:00 close), rose
// to 55,739.62, fell to 53,400.00 and closed at 55,240.88: a stop at 54,500 is crossed on the way down
// and the bar recovers above it (ADR 14's "a bar that wicked through the stop and recovered").
const KEY = 'candle-stop-key';
const SECRET = 'candle-stop-secret';
const WICK = Date.UTC(2021, 4, 10, 20);

let sim: ExchangeSim;

beforeAll(async () => {
  sim = await startCandleSim(KEY, SECRET);
});
afterAll(() => sim?.close());

describe('Binance stops in a candle-only replay, through ccxt', () => {
  it('sells a stop-limit a bar wicks through at its stop, not at the close the bar recovered to', async () => {
    const candles = replayedCandles();
    const wick = candles.findIndex((c) => c.openTime === WICK);
    expect(candles[wick]).toMatchObject({ open: 55733.76, high: 55739.62, low: 53400, close: 55240.88 });
    const ex = binanceClient(sim, { apiKey: KEY, secret: SECRET });
    expect(sim.controls.step(wick, 'binance-candles')).toBe(wick); // the 19:00 close is the last price
    await ex.createOrder('BTC/USDT', 'market', 'buy', 0.01);
    await ex.createOrder('BTC/USDT', 'STOP_LOSS_LIMIT', 'sell', 0.00999, 54450, {
      stopPrice: 54500,
      clientOrderId: 'wick-stop',
    });
    sim.controls.step(1, 'binance-candles');
    const stop = await ex.fetchOrder('', 'BTC/USDT', { clientOrderId: 'wick-stop' });
    expect(stop).toMatchObject({ status: 'closed', filled: 0.00999 });
    const sold = (await ex.fetchMyTrades('BTC/USDT')).filter((t) => t.side === 'sell');
    expect(sold.map((t) => [t.price, t.amount, t.takerOrMaker])).toEqual([[54500, 0.00999, 'taker']]);
  });
});
