import type { Clock, Fill } from '@ballast/contracts';
import { foldPositionSlots, marketKey, recordedFills, unrealisedPnl } from '@ballast/core';
import { CandleRepository, type Database, OrderSliceRepository } from '@ballast/db';
import type { Kysely } from 'kysely';

/**
 * One open position of the paper period, marked at its market's last stored candle close (not core's
 * MarkedPosition, what marking reads: this is what it returns, mark and result included).
 */
export interface PaperOpenPosition {
  exchange: string;
  symbol: string;
  side: 'long' | 'short';
  qty: number;
  entry: number;
  /** The last candle close by now; null when no candle of its market is stored. */
  mark: number | null;
  /** Core's unrealisedPnl at the mark: (mark − entry) × qty for a long, the reverse for a short; null unmarked. */
  pnl: number | null;
}

/**
 * The strategy's positions still open now and entered since `start`, from the orders service's
 * recorded fills (the fold risk and orders restart from), each marked at the newest candle close
 * stored for its market. The gate's drawdown counts their result: a loss not yet closed is still lost.
 */
export async function openPositions(
  db: Kysely<Database>,
  clock: Clock,
  strategy: string,
  start: number,
): Promise<PaperOpenPosition[]> {
  const now = clock.now();
  const slices = await new OrderSliceRepository(db, clock).all();
  const fills = slices.flatMap((slice) => recordedFills({ ...slice, fills: slice.fills as Fill[] }));
  const open = foldPositionSlots(fills).filter(
    (s) => s.strategy === strategy && s.qty > 0 && s.enteredAt >= start && s.enteredAt <= now,
  );
  const candles = new CandleRepository(db);
  const marked: PaperOpenPosition[] = [];
  for (const s of open) {
    const last = await candles.lastClose(s.exchange, s.symbol, now);
    const mark = last?.close ?? null;
    // A candle close is both sides' price: the bid a long sells at and the ask a short buys back at.
    const marks = new Map([
      [marketKey(s.exchange, s.symbol), { bid: mark ?? undefined, ask: mark ?? undefined }],
    ]);
    const pnl = mark === null ? null : unrealisedPnl(s, marks);
    marked.push({
      exchange: s.exchange,
      symbol: s.symbol,
      side: s.side,
      qty: s.qty,
      entry: s.entry,
      mark,
      pnl,
    });
  }
  return marked;
}
