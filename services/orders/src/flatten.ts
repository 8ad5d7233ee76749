import { type Envelope, type KillCommand, symbolAssets } from '@ballast/contracts';
import {
  bookTouch,
  clientOrderId,
  flattenIntentId,
  type MarketRules,
  marketCloseChunks,
  type NetPosition,
  positionHolding,
  roundDownToStep,
} from '@ballast/core';
import type { NewSlice } from '@ballast/db';
import type { Cancels } from './cancels';
import type { Delivery } from './delivery';
import { type Flattened, withOrdersInFlight } from './flatten-verdict';
import { type OrderContext, OrderPart } from './order-context';
import type { Positions } from './positions';
import { venueFlat } from './venue-flat';

/**
 * The kill's flatten: every position closed with reduce-only market orders (as many as the venue's
 * market maximum needs), sent at once, and then confirmed flat against the venue's own balances.
 */
export class Flatten extends OrderPart {
  constructor(
    ctx: OrderContext,
    private readonly positions: Positions,
    private readonly delivery: Delivery,
    private readonly cancels: Cancels,
  ) {
    super(ctx);
  }

  /**
   * Closes every position with reduce-only market orders, then confirms flat against the venue's own
   * balances, not only against the local fold of our fills. On spot the base asset held beyond the
   * configured holdings (RECON_BASE_HOLDINGS) is the position: the close sells at most that and at most
   * the position, so coins held apart are never sold, and what is left of it must be dust. A market
   * with an order of ours still `sending` is not flat: read after the closes, so a close of this
   * flatten left without an answer counts too.
   */
  async flatten(command: Envelope<KillCommand>): Promise<Flattened> {
    const verdicts = new Map<string, Flattened>();
    for (const [symbol, position] of this.positions.book.open(this.deps.venue.id))
      verdicts.set(symbol, await this.closePosition(command, symbol, position));
    for (const symbol of this.deps.config.RECON_SYMBOLS ?? []) {
      const unbooked = verdicts.has(symbol) ? undefined : await this.unbookedHolding(symbol);
      if (unbooked) verdicts.set(symbol, unbooked);
    }
    for (const [symbol, sending] of await this.sendingByMarket())
      verdicts.set(symbol, withOrdersInFlight(verdicts.get(symbol), sending));
    const results = [...verdicts].map(([symbol, verdict]) => `${symbol} ${verdict.text}`);
    return {
      text: results.length > 0 ? `flatten: ${results.join(', ')}` : 'flatten: no positions',
      flat: [...verdicts.values()].every((v) => v.flat),
    };
  }

  /**
   * This venue's orders sent with no answer settled (`sending`: a send that timed out, one found so at
   * a start), by market: the kill cancels open orders only, and each of these may still land.
   */
  private async sendingByMarket(): Promise<Map<string, string[]>> {
    const bySymbol = new Map<string, string[]>();
    for (const s of await this.deps.slices.withStatus(['sending']))
      if (s.exchange === this.deps.venue.id)
        bySymbol.set(s.symbol, [...(bySymbol.get(s.symbol) ?? []), s.clientOrderId]);
    return bySymbol;
  }

  /**
   * A market of RECON_SYMBOLS our books hold no position in, whose base asset the venue holds beyond
   * the holdings apart: an order that landed after we gave it up, or a fill reconciliation has not
   * booked yet. Nothing says whose coins they are, so they are not sold here, but the account is not
   * flat: said so (undefined when only dust is held). Without a price, judged by the lot alone.
   */
  private async unbookedHolding(symbol: string): Promise<Flattened | undefined> {
    const { base } = symbolAssets(symbol);
    const held = await this.venueHolding(base);
    if (held === undefined)
      return { text: `unverified: the venue's balances could not be read`, flat: false };
    if (held <= 0) return undefined;
    const rules = await this.deps.venue.marketRules(symbol);
    const price = this.ctx.slippageBook.streamedTouch(symbol, 'sell') ?? Number.POSITIVE_INFINITY;
    const verdict = venueFlat(held, rules, price);
    if (verdict.flat) return undefined;
    const apart = this.deps.config.RECON_BASE_HOLDINGS?.[base] ?? 0;
    const beyond = apart > 0 ? ` beyond the ${apart} held apart` : '';
    return { text: `NOT flat: ${verdict.detail} ${base}${beyond}, in no position of ours`, flat: false };
  }

  /** Closes one position (what the venue holds of it, on spot), then says whether it is flat. */
  private async closePosition(
    command: Envelope<KillCommand>,
    symbol: string,
    position: NetPosition,
  ): Promise<Flattened> {
    const { base } = symbolAssets(symbol);
    const rules = await this.deps.venue.marketRules(symbol);
    const held = position.side === 'long' ? await this.venueHolding(base) : undefined;
    const qty = roundDownToStep(
      held === undefined ? position.qty : Math.min(position.qty, held),
      rules.stepSize,
    );
    if (qty > 0)
      await this.sendClose(command, position, rules, {
        symbol,
        side: position.side === 'long' ? 'sell' : 'buy',
        qty,
      });
    if (position.side !== 'long') {
      // A short has no balance to read on a spot venue; only our own fills can say.
      const left = this.positions.book.position(this.deps.venue.id, symbol)?.qty ?? 0;
      return left < Math.max(rules.minQty, rules.stepSize)
        ? { text: 'flat (local fills)', flat: true }
        : { text: `NOT flat: still short ${left}`, flat: false };
    }
    return this.venueFlatness(base, rules, position);
  }

  /**
   * The close of `qty`: reduce-only market orders recorded under the kill's id, then sent one after
   * another. A close above the venue's market maximum (MARKET_LOT_SIZE, LOT_SIZE, NOTIONAL) would be
   * refused whole and leave the position open, so it goes as chunks within it (core marketCloseChunks),
   * each under a client id derived from the venue, the kill, the market and its index (flattenIntentId).
   * The chunks are planned all or none (IntentPlans): the kill delivered again, after a flatten it cut
   * short, finds them recorded, sends only those still planned and plans nothing beside them, whatever
   * the position is now.
   */
  private async sendClose(
    command: Envelope<KillCommand>,
    position: NetPosition,
    rules: MarketRules,
    close: { symbol: string; side: 'buy' | 'sell'; qty: number },
  ): Promise<void> {
    const { symbol, side } = close;
    const intentId = flattenIntentId(this.deps.venue.id, command.id, symbol);
    await this.abortClosesOf(symbol, side, intentId, command.payload.reason);
    await this.cancelStopsOf(symbol, side);
    const price = await this.referencePrice(close, rules, position.avgEntry);
    const chunks = marketCloseChunks(close.qty, rules, price).map(
      (qty, index): NewSlice => ({
        clientOrderId: clientOrderId(this.deps.config.CLIENT_ID_PREFIX, intentId, index),
        intentId,
        slice: index,
        strategy: null,
        correlationId: command.correlationId,
        exchange: this.deps.venue.id,
        symbol,
        side,
        type: 'market',
        qty,
        price: null,
        reduceOnly: true,
        dueAt: this.deps.clock.now(),
      }),
    );
    await this.deps.intents.plan(chunks, 'planned');
    for (const stored of await this.deps.slices.ofIntent(intentId))
      if (stored.status === 'planned') await this.delivery.send(stored);
  }

  /**
   * The flatten closes the whole position itself: an earlier close's chunks (or a TWAP exit's slices)
   * still planned beside it would go out after it, clamped only against a fold that may not hold its
   * fills yet (their trades lag), and sell coins held apart. They are cancelled unsent (kill_switch),
   * as the kill aborts entries; the flatten's own chunks, planned by an earlier delivery of this kill,
   * stay for it to send.
   */
  private async abortClosesOf(
    symbol: string,
    closeSide: 'buy' | 'sell',
    intentId: string,
    reason: string,
  ): Promise<void> {
    const planned = await this.deps.slices.withStatus(['planned']);
    const closes = planned.filter(
      (s) =>
        s.reduceOnly &&
        s.exchange === this.deps.venue.id &&
        s.symbol === symbol &&
        s.side === closeSide &&
        s.intentId !== intentId,
    );
    if (closes.length === 0) return;
    await this.ctx.cancelUnsent(closes, 'kill_switch', `kill switch flattens ${symbol}: ${reason}`);
    this.deps.log.warn(
      { symbol, slices: closes.map((s) => s.clientOrderId) },
      'planned closes of a market the flatten closes: cancelled unsent',
    );
  }

  /**
   * What a close is valued at against the venue's maximum notional: the touch it sells into (or buys
   * from), else the position's entry. Read only when the venue has a maximum notional.
   */
  private async referencePrice(
    close: { symbol: string; side: 'buy' | 'sell'; qty: number },
    rules: MarketRules,
    entry: number,
  ): Promise<number> {
    if (rules.maxNotional === undefined) return entry;
    try {
      const { book } = await this.ctx.slippageBook.forOrder(close.symbol, close.side, close.qty);
      const touch = bookTouch(book);
      return (close.side === 'sell' ? touch.bestBid : touch.bestAsk) ?? entry;
    } catch (err) {
      this.deps.log.warn({ err, symbol: close.symbol }, 'no book to value the close: its entry price used');
      return entry;
    }
  }

  /** Whether a long is flat by the venue's balance of its base asset: what is left must be dust. */
  private async venueFlatness(base: string, rules: MarketRules, position: NetPosition): Promise<Flattened> {
    const residual = await this.venueHolding(base);
    if (residual === undefined)
      return { text: `unverified: the venue's balances could not be read`, flat: false };
    const verdict = venueFlat(residual, rules, position.avgEntry);
    const apart = this.deps.config.RECON_BASE_HOLDINGS?.[base] ?? 0;
    const beyond = apart > 0 ? ` beyond the ${apart} held apart` : '';
    return verdict.flat
      ? { text: `flat (venue ${base} ${residual}${beyond})`, flat: true }
      : { text: `NOT flat: ${verdict.detail} ${base}${beyond}`, flat: false };
  }

  /**
   * A flatten's close sells (or buys back) what a protective stop of its market holds: on spot the stop
   * locks those coins and the venue refuses the close while it rests. So the stop stays until the close
   * goes out and is cancelled right before it, as the stops service frees the coins for a sale of its
   * own; the stops service holds its stops while the flatten runs and, should the position stay open
   * (this kill's acknowledgement says NOT flat), alerts and puts the stop back.
   */
  private async cancelStopsOf(symbol: string, closeSide: 'buy' | 'sell'): Promise<void> {
    const open = await this.deps.venue.openOrders(symbol);
    for (const stop of open.filter(
      (o) => o.side === closeSide && this.cancels.ownerOf(o.clientOrderId) === 'stops',
    ))
      await this.deps.venue.cancel(symbol, stop.clientOrderId);
  }

  /** What the venue holds of `asset` beyond the holdings that are no position (RECON_BASE_HOLDINGS). */
  private async venueHolding(asset: string): Promise<number | undefined> {
    try {
      return positionHolding(
        await this.deps.venue.balances(),
        this.deps.config.RECON_BASE_HOLDINGS ?? {},
        asset,
      );
    } catch (err) {
      this.deps.log.warn({ err, asset }, 'venue balances unavailable');
      return undefined;
    }
  }
}
