import { type Fill, Subjects, subject } from '@ballast/contracts';
import {
  compareFillOrder,
  derivedUuid,
  feeIn,
  type KeptPosition,
  orderOver,
  roundDownToStep,
  type TradableRules,
} from '@ballast/core';
import type { OrderSlice } from '@ballast/db';
import { chainOf, OrderPart } from './order-context';
import { PositionBook } from './position-book';

/**
 * The positions our fills make: each fill of ours folded into the PositionBook and announced
 * (`pos.event`), the book rebuilt from the recorded slices on start, and a reduce-only order capped to
 * what the position holds.
 */
export class Positions extends OrderPart {
  private positions = new PositionBook();

  /** The fold as it stands: what flatten closes. */
  get book(): PositionBook {
    return this.positions;
  }

  /**
   * Positions are folds over this venue's fills, rebuilt from the recorded slices on start in the order
   * the fills happened (bookedFills) with the verdicts the live fold reached: the last fill of an order
   * that is over may leave dust, judged on the market's rules (read once per market here; the venue
   * caches them).
   */
  async rebuild(): Promise<void> {
    const slices = (await this.deps.slices.all()).filter((s) => s.exchange === this.deps.venue.id);
    this.positions = await foldSlices(slices, (symbol) => this.rulesFor(symbol));
  }

  /**
   * A reduce-only order sells (or buys back) at most what our position holds: on spot the venue
   * cannot enforce it, and a close re-sent after the first one filled would sell coins that are no
   * position (held apart, or another account's use). `inFlight`: what closes of the position already
   * sent may still sell (or buy back) beyond the fills booked of them: the position less that is left.
   */
  reducible(
    request: { reduceOnly: boolean; symbol: string; side: 'buy' | 'sell' },
    qty: number,
    stepSize: number,
    inFlight = 0,
  ): number {
    if (!request.reduceOnly) return qty;
    const position = this.positions.position(this.deps.venue.id, request.symbol);
    const reduces = position && position.side === (request.side === 'sell' ? 'long' : 'short');
    return reduces ? Math.max(0, Math.min(qty, roundDownToStep(position.qty - inFlight, stepSize))) : 0;
  }

  /** The market's rules for a dust verdict; none (no verdict, only an exact 0 closes) when unreadable. */
  private async rulesFor(symbol: string): Promise<TradableRules | undefined> {
    try {
      return await this.deps.venue.marketRules(symbol);
    } catch (err) {
      this.deps.log.warn({ err, symbol }, 'market rules unavailable: a dust remainder does not close');
      return undefined;
    }
  }

  /**
   * Folds a fill of ours and publishes the position; `ended`: the fill is the last its order will have.
   * Once per trade until `announced`: an announcement run again after a publish failed folds nothing again.
   */
  async foldFill(slice: OrderSlice, fill: Fill, ended: boolean): Promise<void> {
    const step = this.positions.foldOnce(slice, fill, ended ? await this.rulesFor(slice.symbol) : undefined);
    if (fill.fee > 0 && feeIn(slice.symbol, fill.feeAsset) === 'other')
      // Unpriced here (BNB): the position's fees leave it out rather than add it as quote.
      this.deps.log.warn(
        { clientOrderId: slice.clientOrderId, tradeId: fill.tradeId, fee: fill.fee, feeAsset: fill.feeAsset },
        'fill fee in a third asset: not counted in the position fees',
      );
    // Dust found and left dust: no position was opened, none is closed.
    if (step.status === null) return;
    await this.publishPosition(slice, step.kept, step.status, fill.price, [
      fill.tradeId,
      slice.clientOrderId,
    ]);
  }

  /** The fills' announcement went out: folded for good (see foldFill). */
  announced(slice: OrderSlice, fills: readonly Fill[]): void {
    this.positions.announced(slice, fills);
  }

  /**
   * An exit order the venue ended after its last fill (cancelled part-filled): what it left may be dust.
   * Kept once announced: an announcement that failed, run again, finds the position as it was.
   */
  async endExit(slice: OrderSlice, last: Fill | undefined): Promise<void> {
    if (!last) return;
    const rules = await this.rulesFor(slice.symbol);
    const kept = rules && this.positions.endExit(slice, rules, last.price);
    if (!kept) return;
    await this.publishPosition(slice, kept, 'closed', last.price, ['ended', slice.clientOrderId]);
    this.positions.keepEnded(slice, kept);
  }

  private async publishPosition(
    slice: OrderSlice,
    kept: KeptPosition,
    status: 'opened' | 'changed' | 'closed',
    price: number,
    idParts: readonly string[],
  ): Promise<void> {
    const owner = this.positions.owner(slice);
    await this.deps.bus.publish(
      subject(Subjects.positionEvent, {}),
      this.positions.event(slice, kept, status, price),
      { id: derivedUuid('pos', ...idParts), ...chainOf(owner?.correlationId) },
    );
  }
}

/**
 * The positions `slices` make, their fills folded in the order they happened with the verdicts the live
 * fold reached: the last fill of an order that is over may leave dust, judged on `rulesFor` (read once
 * per market).
 */
export async function foldSlices(
  slices: readonly OrderSlice[],
  rulesFor: (symbol: string) => Promise<TradableRules | undefined>,
): Promise<PositionBook> {
  const book = new PositionBook();
  const rules = new Map<string, TradableRules | undefined>();
  for (const symbol of new Set(slices.filter((s) => s.fills.length > 0).map((s) => s.symbol)))
    rules.set(symbol, await rulesFor(symbol));
  for (const { slice, fill, ended, announced } of bookedFills(slices)) {
    const endRules = ended ? rules.get(slice.symbol) : undefined;
    // A fill never announced is announced at start with the step it made (PositionBook.foldOnce).
    if (announced) book.fold(slice, fill, endRules);
    else book.foldOnce(slice, fill, endRules);
  }
  return book;
}

/**
 * Every fill of the slices, with whether it is the last of an order that is over and whether it was
 * announced, in the order the fills
 * happened (compareFillOrder): the live fold took them so. Slices are recorded as planned, so a TWAP's
 * later slices come before an exit that filled between them; folded slice by slice, such an exit would
 * close against an entry that had not happened yet (another average entry and realised result).
 */
function bookedFills(
  slices: readonly OrderSlice[],
): Array<{ slice: OrderSlice; fill: Fill; ended: boolean; announced: boolean }> {
  return slices
    .flatMap((slice) => {
      const fills = slice.fills as Fill[];
      const over = orderOver(slice.status, slice.filledQty, slice.qty);
      return fills.map((fill, i) => ({
        slice,
        fill,
        ended: over && i === fills.length - 1,
        announced: i < slice.announcedFills,
      }));
    })
    .sort((a, b) => compareFillOrder(a.fill, b.fill));
}
