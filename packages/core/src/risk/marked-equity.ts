import type { PositionSide } from '@ballast/contracts';
import type { BookTouch } from '../market-data/streamed-books';
import type { RiskLimits } from './risk-limits';
import { applyEquityMark } from './risk-reducers';
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

/** The state marked to market at `now` (applyEquityMark): the halts latch on open losses too. */
export function applyMarkedEquity(
  state: RiskState,
  atCost: number,
  marks: MarketMarks,
  limits: RiskLimits,
  now: number,
): RiskState {
  return applyEquityMark(state, { equity: markedEquity(atCost, state.positions, marks), time: now }, limits);
}
