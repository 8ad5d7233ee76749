import type { PositionSide } from '@ballast/contracts';
import type { BookTouch } from '../market-data/streamed-books';
import type { RiskLimits } from './risk-limits';
import { applyEquityMark, applyUnvaluedEquity } from './risk-reducers';
import { marketKey, type OpenPosition, type RiskState } from './risk-state';

/**
 * The last usable price each side of a market was quoted at: what a position there would sell (a long,
 * at the bid) or buy back (a short, at the ask) for. A side is kept until a usable price replaces it:
 * an empty side or a book out of sequence is no price, and reads neither as zero nor as a loss.
 */
export type MarketMark = { bid: number | undefined; ask: number | undefined };

/** Marks by `marketKey(exchange, symbol)`. */
export type MarketMarks = ReadonlyMap<string, MarketMark>;

const usable = (price: number | undefined): price is number =>
  price !== undefined && Number.isFinite(price) && price > 0;

/** `marks` with the market's touch taken in, side by side; a side without a usable price keeps its last one. */
export function updateMarks(
  marks: MarketMarks,
  market: { exchange: string; symbol: string },
  touch: BookTouch,
): MarketMarks {
  const key = marketKey(market.exchange, market.symbol);
  const last = marks.get(key);
  const bid = usable(touch.bestBid) ? touch.bestBid : last?.bid;
  const ask = usable(touch.bestAsk) ? touch.bestAsk : last?.ask;
  if (bid === last?.bid && ask === last?.ask) return marks;
  return new Map(marks).set(key, { bid, ask });
}

/** The price a position of `side` is valued at: the side of the book that would close it. */
export function markPrice(side: PositionSide, mark: MarketMark | undefined): number | undefined {
  return side === 'long' ? mark?.bid : mark?.ask;
}

/** What marking a position reads: a held position, or a slot read from the recorded fills at start. */
export type MarkedPosition = Pick<OpenPosition, 'exchange' | 'symbol' | 'side' | 'qty' | 'entry'>;

/** What a position would gain (negative: lose) closed at its mark; 0 while its market has no mark (valued at entry). */
export function unrealisedPnl(position: MarkedPosition, marks: MarketMarks): number {
  const price = markPrice(position.side, marks.get(marketKey(position.exchange, position.symbol)));
  if (price === undefined) return 0;
  const move = position.side === 'long' ? price - position.entry : position.entry - price;
  return position.qty * move;
}

/**
 * The equity marked to market: `atCost` (cash and realised results, each open position counted at what
 * it cost) plus every held position's unrealised result at its mark. The halts measure this, as the
 * account's value does: losses held open count the moment they are quoted, not when they are sold.
 */
export function markedEquity(
  atCost: number,
  positions: readonly MarkedPosition[],
  marks: MarketMarks,
): number {
  return positions.reduce((sum, p) => sum + unrealisedPnl(p, marks), atCost);
}

/**
 * Whether the equity of `positions` can be measured against a stored baseline: each position in a
 * market of `awaited` (keys of the markets held at a restart) has a mark. Such a position without one
 * counts at entry, but the peak and the day's start stored before the restart may hold its open gain:
 * measured against them, the equity at cost would read that gain as a loss and latch a halt. One opened
 * since the restart is measured at entry as it always was: no stored figure holds its gain.
 */
export function equityValued(
  positions: readonly MarkedPosition[],
  marks: MarketMarks,
  awaited: ReadonlySet<string>,
): boolean {
  return positions.every((p) => {
    const key = marketKey(p.exchange, p.symbol);
    return !awaited.has(key) || markPrice(p.side, marks.get(key)) !== undefined;
  });
}

/**
 * The state marked to market at `now` (applyEquityMark): the halts latch on open losses too. While a
 * position of a market in `awaited` has no mark (`equityValued`), the equity moves but neither the peak nor
 * the halts (applyUnvaluedEquity): they are measured from its first mark on.
 */
export function applyMarkedEquity(
  state: RiskState,
  atCost: number,
  marks: MarketMarks,
  limits: RiskLimits,
  now: number,
  awaited: ReadonlySet<string> = new Set(),
): RiskState {
  const mark = { equity: markedEquity(atCost, state.positions, marks), time: now };
  if (!equityValued(state.positions, marks, awaited)) return applyUnvaluedEquity(state, mark);
  return applyEquityMark(state, mark, limits);
}
