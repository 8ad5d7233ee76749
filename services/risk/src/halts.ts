import { type Alert, type EnvelopeHeader, Subjects, subject } from '@ballast/contracts';
import {
  derivedUuid,
  type EquityBaseline,
  equityBaseline,
  type HaltBegun,
  haltsBegun,
  initialRiskState,
  type RiskState,
  restoreEquityBaseline,
  sameEquityBaseline,
} from '@ballast/core';
import type { ClosedTrades } from './closed-trades';
import { DEFAULT_EQUITY_STORE_INTERVAL_MS } from './config';
import { type RiskContext, RiskPart } from './risk-context';
import { StoredValue } from './stored-value';

/**
 * The equity baseline the drawdown and daily-loss halts are measured on (the peak, the day's start and
 * the halts themselves): restored at start, stored as it changes, and each halt that begins announced.
 */
export class Halts extends RiskPart {
  /** The equity baseline as last stored (undefined: none yet), and the write under way. */
  private readonly baseline = new StoredValue<EquityBaseline>(
    (baseline) => this.deps.baseline.save(baseline),
    sameEquityBaseline,
  );
  /** When a mark last stored the baseline (service clock). */
  private equityStoredAt = Number.NEGATIVE_INFINITY;

  constructor(
    ctx: RiskContext,
    private readonly trades: ClosedTrades,
  ) {
    super(ctx);
  }

  /**
   * The equity read now, its held positions `marked` to market (EquityMarks.start), on the baseline
   * stored before the restart (restoreEquityBaseline): the halts and the peak stay as they were, and the
   * day's start unless a new UTC day has begun. Stored again at once when the restart changed it (a new
   * day, a new peak, a halt latched on what changed while down). A position held with no mark (its REST
   * read failed) defers the halts to its first mark: the stored peak may hold its open gain.
   */
  async restore(
    now: number,
    heldCost: number,
    marked: (atCost: number) => { equity: number; valued: boolean },
  ): Promise<void> {
    const { equity, valued } = marked(await this.equity(heldCost));
    const fresh = initialRiskState(equity, now);
    this.baseline.stored = await this.deps.baseline.load();
    this.ctx.state = restoreEquityBaseline(
      fresh,
      this.baseline.stored,
      this.deps.limits.current,
      now,
      valued,
    );
    if (!valued) this.deps.log.warn({ equity }, 'halts measured once the positions held are marked');
    const { drawdownHalt, dailyLossHalt, peakEquity, dayStartEquity } = this.ctx.state;
    if (drawdownHalt || dailyLossHalt)
      this.deps.log.warn(
        { drawdownHalt, dailyLossHalt, peakEquity, dayStartEquity },
        'entries halted as before the restart',
      );
    await this.store();
  }

  /** Stores the equity baseline when it changed, one write after another, each of the latest. */
  store(): Promise<void> {
    return this.baseline.store(() => equityBaseline(this.ctx.state));
  }

  /**
   * Stores the baseline after a mark when more than its equity changed (the peak, the day, a halt), or
   * its equity alone once RISK_EQUITY_STORE_INTERVAL_MS passed since the last store: marks come with
   * every book, and the equity stored is the start of a UTC day begun while risk is down, so it must
   * be about the equity when risk stopped, not at the last fill hours before.
   */
  storeMarked(): Promise<void> {
    const { stored } = this.baseline;
    const latest = equityBaseline(this.ctx.state);
    if (stored && sameEquityBaseline({ ...latest, equity: stored.equity }, stored) && !this.equityStoreDue())
      return Promise.resolve();
    this.equityStoredAt = this.deps.clock.now();
    return this.store();
  }

  private equityStoreDue(): boolean {
    const every = this.deps.config.RISK_EQUITY_STORE_INTERVAL_MS ?? DEFAULT_EQUITY_STORE_INTERVAL_MS;
    return every > 0 && this.deps.clock.now() - this.equityStoredAt >= every;
  }

  /** The state with the baseline as stored: what halts a change begins are measured from. */
  asStored(): RiskState {
    const stored = this.baseline.stored;
    return stored ? { ...this.ctx.state, ...stored } : this.ctx.state;
  }

  /**
   * Tells each halt a position event or a mark began on `alert` at once (Telegram, the dashboard),
   * instead of leaving the operator to learn of it from the next rejected entry. Ids derive from the
   * event, so a redelivered event announces nothing twice.
   */
  async announce(before: RiskState, cause: Pick<EnvelopeHeader, 'id' | 'correlationId'>): Promise<void> {
    const { limits, clock, log, bus } = this.deps;
    for (const halt of haltsBegun(before, this.ctx.state, limits.current, clock.now())) {
      log.warn(
        { halt: halt.reason, limit: halt.limit, value: halt.value, until: halt.until },
        'entries halted',
      );
      await bus.publish(subject(Subjects.alert, {}), haltAlert(halt), {
        causedBy: cause,
        id: derivedUuid('halt', halt.reason, cause.id),
      });
    }
  }

  /**
   * The equity at start. A configured equity is the starting amount, so what the recorded trades and
   * fills have realised and paid so far is added to it. From the venue: its quote balance plus what our
   * open longs cost (the quote they took is still ours, in coins), since the balance already contains
   * what was realised: otherwise every restart with a position open would read its cost as a loss
   * against the stored peak and latch the drawdown and daily-loss halts. Either is the equity at cost:
   * EquityMarks marks the open positions to market once their books are quoted.
   */
  private async equity(heldCost: number): Promise<number> {
    const { config, venue } = this.deps;
    if (config.RISK_EQUITY !== undefined) return config.RISK_EQUITY + this.trades.ledger.foldedTotal();
    const balances = await venue.balances();
    return (balances[config.RISK_QUOTE_ASSET] ?? 0) + heldCost;
  }
}

function haltAlert(halt: HaltBegun): Alert {
  return {
    severity: halt.reason === 'loss_streak' ? 'warning' : 'critical',
    kind: 'risk_halt',
    message: `entries halted (${halt.reason.replace('_', ' ')}): ${halt.detail}`,
    labels: { service: 'risk', halt: halt.reason },
  };
}
