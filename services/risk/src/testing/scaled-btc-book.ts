import type { Bus } from '@ballast/bus';
import { type Clock, Subjects, subject } from '@ballast/contracts';
import { btcBook, btcBookSnapshot } from './btc-fixtures';

/**
 * Publishes the recorded BTC-USDT book at `scale` of its prices, as a snapshot market-data publishes:
 * each with the next update id, so risk takes every one as newer than the last. `on.bus` is read at each
 * publish: a test bed's bus exists only once its tests run.
 */
export function scaledBtcBooks(on: { readonly bus: Bus }, clock: Clock): (scale: number) => Promise<unknown> {
  let updateId = btcBookSnapshot(0).lastUpdateId;
  return (scale) => {
    updateId += 1;
    const at = ([p, q]: [number, number]): [number, number] => [Number((p * scale).toFixed(2)), q];
    return on.bus.publish(subject(Subjects.book, { exchange: 'binance', symbol: 'BTC-USDT' }), {
      ...btcBookSnapshot(clock.now()),
      lastUpdateId: updateId,
      bids: btcBook.bids.map(at),
      asks: btcBook.asks.map(at),
    });
  };
}
