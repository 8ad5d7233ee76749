import type { Clock } from '@ballast/contracts';
import type { TokenUsage } from '../provider';

/** USD per million tokens, per model, from config. */
export interface ModelPrice {
  readonly inputPerMillion: number;
  readonly outputPerMillion: number;
}

export type PriceTable = Readonly<Record<string, ModelPrice>>;

const DAY_MS = 86_400_000;

/**
 * Spend per UTC day across every agent. Once today's spend reaches the limit, calls are refused until
 * the next UTC day; the call that crosses the limit is allowed (its cost is only known afterwards).
 * A model missing from the price table costs nothing: that is a local model.
 */
export class DailyCostBudget {
  #day = -1;
  #spentUsd = 0;

  constructor(
    private readonly clock: Clock,
    private readonly limitUsd: number,
    private readonly prices: PriceTable,
  ) {}

  costOf(model: string, usage: TokenUsage): number {
    const price = this.prices[model];
    if (price === undefined) return 0;
    return (
      (usage.inputTokens * price.inputPerMillion + usage.outputTokens * price.outputPerMillion) / 1_000_000
    );
  }

  allows(): boolean {
    this.rollDay();
    return this.#spentUsd < this.limitUsd;
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
