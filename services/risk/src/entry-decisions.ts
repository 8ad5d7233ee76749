import {
  derivedId,
  type Envelope,
  type OrderEvent,
  type RiskDecision,
  type SignalDecision,
  Subjects,
  subject,
} from '@ballast/contracts';
import {
  cautiousRegime,
  DEFAULT_EXIT_COSTS,
  type Denial,
  decidedVerdict,
  decideEntry,
  derivedUuid,
  type EntryApproval,
  type EntryBook,
  type EntryDecision,
  liveApprovals,
  type MarketRules,
  pendingAtStart,
  type RecordedEntryOrder,
  releasePending,
  reservePending,
} from '@ballast/core';
import { DEFAULT_STOP_LIMIT_OFFSET_BPS } from '@ballast/service-kit';
import { requiresRecon } from './config';
import type { EntryBooks } from './entry-books';
import type { PositionStops } from './position-stops';
import { type RiskContext, RiskPart } from './risk-context';
import type { StoredDecisions } from './stored-decisions';
import type { VenueReconciliation } from './venue-reconciliation';

type Candidate = SignalDecision['candidate'];

/** Order outcomes after which what the order left unfilled will not fill. */
const UNFILLABLE: ReadonlySet<OrderEvent['status']> = new Set(['rejected', 'cancelled']);

/**
 * Entries: each approved signal decided by core's decideEntry and published as risk's decision, and
 * what an approval reserves, held until its orders fill, fail or expire.
 */
export class EntryDecisions extends RiskPart {
  constructor(
    ctx: RiskContext,
    private readonly books: EntryBooks,
    private readonly recon: VenueReconciliation,
    private readonly stops: PositionStops,
    private readonly stored: StoredDecisions,
  ) {
    super(ctx);
  }

  /**
   * Approved entries whose orders may still fill are reserved again, for what they have not filled, and
   * so are approvals the orders service has not recorded yet; the position such an entry opens starts
   * with its approved stop. Each reservation keeps its strategy: a market stays its holder's
   * (market_held).
   */
  reserveAtStart(entryOrders: RecordedEntryOrder[], now: number): void {
    for (const pending of pendingAtStart(entryOrders, this.ctx.state.decided, this.ctx.pendingTtlMs, now))
      this.ctx.state = reservePending(this.ctx.state, pending);
    const awaited = new Set(this.ctx.state.pending.map((p) => p.intentId));
    for (const { intentId, candidate, verdict } of liveApprovals(this.ctx.state.decided, now))
      if (awaited.has(intentId)) this.stops.approved(candidate, verdict.stop);
  }

  async onSignal(message: Envelope<SignalDecision>): Promise<void> {
    const { candidate, approved } = message.payload;
    if (!approved) return;
    const intentId = `in-${derivedId('intent', candidate.id)}`;
    // A redelivered signal gets its verdict again whatever the book: no REST read for it.
    const book: EntryBook = decidedVerdict(this.ctx.state, intentId, this.deps.clock.now())
      ? { none: 'decided before' }
      : await this.books.entryBook(candidate.exchange, candidate.symbol);
    const rules = await this.deps.venue.marketRules(candidate.symbol);
    const { verdict, expiresAt } = this.decide(message, intentId, book, rules);
    // An approval carries its first decision's expiry, redelivered or not: the orders service's own
    // expiry check must count from when risk sized it.
    const decision: RiskDecision = verdict.ok
      ? approval(candidate, intentId, verdict, expiresAt)
      : denial(candidate, verdict);
    // The id is derived from the candidate, so a redelivered signal yields the same (de-duplicated)
    // decision (a withdrawn approval's denial too: decideRedelivered says when it reaches orders); and
    // from the venue, so two risks never publish under one id (the first would win).
    await Promise.all([
      this.deps.bus.publish(subject(Subjects.riskDecision, {}), decision, {
        causedBy: message,
        id: derivedUuid('risk', this.deps.venue.id, candidate.id),
      }),
      this.stored.store(),
    ]);
  }

  /** A refused or cancelled order frees the part of its entry's reservation it will never fill. */
  async onOrder(event: OrderEvent): Promise<void> {
    if (event.intentId === null || !UNFILLABLE.has(event.status)) return;
    this.ctx.state = releasePending(this.ctx.state, {
      intentId: event.intentId,
      clientOrderId: event.clientOrderId,
      unfilledQty: event.qty - event.filledQty,
    });
    await this.stored.store();
  }

  private decide(
    message: Envelope<SignalDecision>,
    intentId: string,
    book: EntryBook,
    rules: MarketRules,
  ): EntryDecision {
    const { candidate, sizeMultiplier } = message.payload;
    const { config, limits, clock } = this.deps;
    if (requiresRecon(config)) this.recon.closeUnheard(candidate.exchange);
    // Decided and reserved in one turn: the next candidate sees this one's reservation.
    const decided = decideEntry(
      this.ctx.state,
      { intentId, ttlMs: this.ctx.pendingTtlMs },
      {
        strategy: candidate.strategy,
        exchange: candidate.exchange,
        symbol: candidate.symbol,
        side: candidate.side,
        entry: candidate.entry,
        stop: candidate.stop,
        takeProfits: candidate.takeProfits,
        regime: candidate.regime ?? config.RISK_DEFAULT_REGIME ?? cautiousRegime(limits.current),
        // The volatility regime's scale is in sizeMultiplier already (the reviewer sizes by it).
        volatilityScale: 1,
        sizeMultiplier,
        signalTime: message.eventTime,
        book,
        rules,
        costs: {
          takerFeeBps: config.RISK_TAKER_FEE_BPS ?? DEFAULT_EXIT_COSTS.takerFeeBps,
          stopLimitOffsetBps: config.STOP_LIMIT_OFFSET_BPS ?? DEFAULT_STOP_LIMIT_OFFSET_BPS,
        },
      },
      limits.current,
      clock.now(),
    );
    this.ctx.state = decided.state;
    const { verdict, withdrawn } = decided;
    this.deps.decided?.(verdict);
    if (withdrawn)
      this.deps.log.warn(
        { intentId, candidateId: candidate.id, reason: verdict.ok ? null : verdict.reason },
        'approval of a redelivered signal withdrawn: a gate closed since, or the signal is too old',
      );
    if (verdict.ok) this.stops.approved(candidate, verdict.stop);
    return decided;
  }
}

function approval(
  candidate: Candidate,
  intentId: string,
  verdict: EntryApproval,
  expiresAt: number,
): RiskDecision {
  return {
    approved: true,
    intent: {
      intentId,
      candidateId: candidate.id,
      strategy: candidate.strategy,
      exchange: candidate.exchange,
      symbol: candidate.symbol,
      positionSide: candidate.side,
      side: candidate.side === 'long' ? 'buy' : 'sell',
      qty: verdict.qty,
      entry: verdict.entry,
      stop: verdict.stop,
      takeProfits: candidate.takeProfits,
      riskAmount: verdict.riskAmount,
      expiresAt,
    },
  };
}

function denial(candidate: Candidate, verdict: Denial): RiskDecision {
  return {
    approved: false,
    candidateId: candidate.id,
    exchange: candidate.exchange,
    symbol: candidate.symbol,
    reason: verdict.reason,
    limit: Number.isFinite(verdict.limit) ? verdict.limit : 0,
    value: Number.isFinite(verdict.value) ? verdict.value : 0,
    detail: verdict.detail,
  };
}
