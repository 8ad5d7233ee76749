import type { PositionEvent, SignalDecision } from '@ballast/contracts';
import type { ReflectionInput } from '../pipeline/reflection-input';
import { decisionSummary } from './decision-summary';

interface Approved {
  readonly setup: string;
  readonly side: SignalDecision['candidate']['side'];
  readonly stop: number;
  readonly correlationId: string;
  readonly summary: string;
}

interface OpenPosition {
  readonly side: PositionEvent['side'];
  entry: number;
  /** Realized PnL the venue position carried before this one opened (orders reports it cumulatively). */
  readonly pnlBefore: number;
  maxQty: number;
  readonly decision: Approved | undefined;
}

/** Why a close produced no reflection input; counted and logged by the caller. */
export type UntrackedClose = 'open_not_seen' | 'no_outcome_price';

/**
 * Turns position events back into trade outcomes the reflector can learn from. Orders publishes one
 * net position per exchange:symbol with cumulative realized PnL, and no link to the decision, so the
 * tracker remembers the latest approved decision per symbol and attaches it to the next position that
 * opens on the same side. The trade's exit price is derived as entry ± (PnL of this position / its
 * largest quantity). State is in memory: a position opened before a restart closes untracked.
 */
export class TradeOutcomeTracker {
  readonly #approved = new Map<string, Approved>();
  readonly #open = new Map<string, OpenPosition>();

  onDecision(decision: SignalDecision, correlationId: string): void {
    if (!decision.approved) return;
    const c = decision.candidate;
    this.#approved.set(`${c.exchange}:${c.symbol}`, {
      setup: c.setup,
      side: c.side,
      stop: c.stop,
      correlationId,
      summary: decisionSummary(decision),
    });
  }

  /** A reflection input when the event closes a tracked position; otherwise null or why not. */
  onPosition(event: PositionEvent, eventCorrelationId: string): ReflectionInput | UntrackedClose | null {
    const key = `${event.exchange}:${event.symbol}`;
    if (event.status === 'opened') {
      const approved = this.#approved.get(key);
      const decision = approved?.side === event.side ? approved : undefined;
      if (decision) this.#approved.delete(key);
      this.#open.set(key, {
        side: event.side,
        entry: event.avgEntry,
        pnlBefore: event.realizedPnl,
        maxQty: event.qty,
        decision,
      });
      return null;
    }
    const open = this.#open.get(key);
    if (event.status === 'changed') {
      if (open && open.side === event.side) {
        open.entry = event.avgEntry;
        open.maxQty = Math.max(open.maxQty, event.qty);
      }
      return null;
    }
    this.#open.delete(key);
    if (!open) return 'open_not_seen';
    return outcome(event, open, eventCorrelationId) ?? 'no_outcome_price';
  }
}

function outcome(
  event: PositionEvent,
  open: OpenPosition,
  eventCorrelationId: string,
): ReflectionInput | undefined {
  const perUnit = (event.realizedPnl - open.pnlBefore) / open.maxQty;
  const outcomePrice = open.side === 'long' ? open.entry + perUnit : open.entry - perUnit;
  if (!(outcomePrice > 0) || !Number.isFinite(outcomePrice)) return undefined;
  return {
    correlationId: open.decision?.correlationId ?? eventCorrelationId,
    kind: 'closed_position',
    symbol: event.symbol,
    setup: open.decision?.setup ?? event.strategy ?? 'unknown',
    side: open.side,
    entry: open.entry,
    stop: open.decision?.stop ?? null,
    outcomePrice,
    decision: open.decision?.summary ?? 'no decision seen by the signals service',
  };
}
