import type { Clock } from '@ballast/contracts';
import type { TokenUsage } from '../provider';

/** USD per million tokens, per model, from config. */
export interface ModelPrice {
  readonly inputPerMillion: number;
  readonly outputPerMillion: number;
}

export type PriceTable = Readonly<Record<string, ModelPrice>>;

const DAY_MS = 86_400_000;
/** A dated snapshot of a model, e.g. `claude-sonnet-4-5-20250929`: priced as `claude-sonnet-4-5`. */
const DATE_SUFFIX = /-\d{8}$/;

/**
 * The price of a model: its own entry, else (for a dated snapshot name) the entry of the name without
 * the date. Undefined when neither is listed.
 */
export function priceOf(prices: PriceTable, model: string): ModelPrice | undefined {
  if (Object.hasOwn(prices, model)) return prices[model];
  const undated = model.replace(DATE_SUFFIX, '');
  return undated !== model && Object.hasOwn(prices, undated) ? prices[undated] : undefined;
}

/**
 * What a cached prompt token costs, as a multiple of the input price (Anthropic's prompt caching: a write
 * for 5 minutes 1.25×, for 1 hour 2×, a read 0.1×).
 */
export const CACHE_PRICE_FACTORS = { written5m: 1.25, written1h: 2, read: 0.1 } as const;

/** The prompt tokens of `usage` in units of the input price: cached ones at their factors. */
function inputPriceUnits(usage: TokenUsage): number {
  const cached = usage.cachedInput;
  if (cached === undefined) return usage.inputTokens;
  const uncached = usage.inputTokens - cached.written5m - cached.written1h - cached.read;
  return (
    uncached +
    cached.written5m * CACHE_PRICE_FACTORS.written5m +
    cached.written1h * CACHE_PRICE_FACTORS.written1h +
    cached.read * CACHE_PRICE_FACTORS.read
  );
}

/** Start of the UTC day holding `ms`. */
export function utcDayStartMs(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}

/** A day's budget found spent: told once per UTC day, at the first call it refuses. */
export interface BudgetSpent {
  readonly dayStartMs: number;
  readonly spentUsd: number;
  readonly limitUsd: number;
}

/**
 * Spend per UTC day across every agent. Once today's spend reaches the limit, calls are refused until
 * the next UTC day; the call that crosses the limit is allowed (its cost is only known afterwards).
 * A model missing from the price table costs nothing: only local models may be unpriced, which
 * `buildAgentsFromConfig` checks at start.
 */
export class DailyCostBudget {
  #day = -1;
  #spentUsd = 0;
  #toldDay = -1;

  constructor(
    private readonly clock: Clock,
    readonly limitUsd: number,
    private readonly prices: PriceTable,
    private readonly onSpent?: (spent: BudgetSpent) => void,
  ) {}

  costOf(model: string, usage: TokenUsage): number {
    const price = priceOf(this.prices, model);
    if (price === undefined) return 0;
    return (
      (inputPriceUnits(usage) * price.inputPerMillion + usage.outputTokens * price.outputPerMillion) /
      1_000_000
    );
  }

  allows(): boolean {
    this.rollDay();
    const allowed = this.#spentUsd < this.limitUsd;
    if (!allowed && this.#toldDay !== this.#day) {
      this.#toldDay = this.#day;
      this.onSpent?.({ dayStartMs: this.#day * DAY_MS, spentUsd: this.#spentUsd, limitUsd: this.limitUsd });
    }
    return allowed;
  }

  /** Counts spend made today before this budget existed (a restart: the audit's rows since midnight UTC). */
  spentEarlierToday(usd: number): void {
    this.spend(usd);
  }

  spend(usd: number): void {
    this.rollDay();
    this.#spentUsd += usd;
  }

  spentTodayUsd(): number {
    this.rollDay();
    return this.#spentUsd;
  }

  private rollDay(): void {
    const day = Math.floor(this.clock.now() / DAY_MS);
    if (day !== this.#day) {
      this.#day = day;
      this.#spentUsd = 0;
    }
  }
}
