import type { Database } from '@ballast/db';
import { OrderSliceRepository } from '@ballast/db';
import type { Kysely } from 'kysely';

/**
 * A BTC-USDT market order as the orders service records it, at `time` (recorded then, so the slices
 * read back in that order): an entry of `strategy`, or an exit (strategy null, reduce-only).
 */
export type BtcOrder = {
  clientOrderId: string;
  strategy: string | null;
  side: 'buy' | 'sell';
  qty: number;
  time: number;
  /** The venue it went to; binance unless said. */
  exchange?: string;
};

const slices = (db: Kysely<Database>, time: number) => new OrderSliceRepository(db, { now: () => time });

/** Records the order planned, not sent yet: a risk decision's order that can still fill. */
export async function recordBtcOrder(db: Kysely<Database>, order: BtcOrder): Promise<void> {
  const exit = order.strategy === null;
  await slices(db, order.time).plan([
    {
      clientOrderId: order.clientOrderId,
      intentId: `in-${order.clientOrderId}`,
      slice: 0,
      strategy: order.strategy,
      correlationId: null,
      exchange: order.exchange ?? 'binance',
      symbol: 'BTC-USDT',
      side: order.side,
      type: 'market',
      qty: order.qty,
      price: null,
      reduceOnly: exit,
      dueAt: order.time,
    },
  ]);
}

/**
 * Records the order filled whole at `price`, as the orders service does before it publishes the position:
 * a 0.1% taker fee in USDT, or in BTC (Binance spot without BNB charges a buy in what it buys).
 */
export async function recordBtcFill(
  db: Kysely<Database>,
  order: BtcOrder,
  price: number,
  feeAsset: 'USDT' | 'BTC' = 'USDT',
): Promise<void> {
  await recordBtcOrder(db, order);
  const fill = {
    tradeId: `t-${order.clientOrderId}`,
    price,
    qty: order.qty,
    fee: 0.001 * order.qty * (feeAsset === 'USDT' ? price : 1),
    feeAsset,
    liquidity: 'taker',
    time: order.time,
  };
  await slices(db, order.time).update(order.clientOrderId, {
    status: 'filled',
    filledQty: order.qty,
    avgPrice: price,
    fills: [fill],
  });
}
