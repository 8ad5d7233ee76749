import { derivedId, type FeatureVector, type SignalCandidate } from '@ballast/contracts';
import { HourExpectancyTable } from './hour-expectancy';
import { rankCandidates } from './rank-candidates';
import type { Strategy, StrategyProposal } from './strategy';
import type { VetoConfig } from './veto-config';
import { firstVeto, VETO_RULES, type VetoInput, type VetoRule } from './veto-rules';

export interface SignalEngineOptions {
  strategies: readonly Strategy[];
  vetoes: VetoConfig;
  /** Per-strategy, per-hour expectancy read from the database; empty means no hour is vetoed. */
  hours?: HourExpectancyTable;
  /**
   * Symbols expected every cycle: a cycle is ranked as soon as all of them reported. Empty: every vector
   * is its own cycle. A cycle missing a symbol is ranked when the next cycle of its timeframe begins.
   */
  universe?: readonly string[];
  /** Vectors of each series kept for the strategies (the current one excluded). */
  historyLength?: number;
  rules?: readonly VetoRule[];
}

interface PendingCycle {
  readonly timeframe: string;
  readonly openTime: number;
  readonly symbols: Set<string>;
  readonly entries: Array<{ candidate: SignalCandidate; input: VetoInput }>;
}

const DEFAULT_HISTORY = 10;
/** Answers remembered, so a redelivered vector gets what its first delivery got. */
const REMEMBERED_ANSWERS = 256;

/**
 * Tier 1 and tier 2 over feature vectors: every strategy proposes, each cycle (one candle close time per
 * timeframe) is ranked across symbols, then every candidate is checked by the veto rules. Vetoed
 * candidates are returned too, with their reason, so the reason is published. Pure and synchronous.
 */
export class SignalEngine {
  private readonly history = new Map<string, FeatureVector[]>();
  private readonly pending = new Map<string, PendingCycle>();
  /** The open time of the newest vector seen per series: a vector not newer was seen already. */
  private readonly newest = new Map<string, number>();
  /** Recent non-empty answers by the vector (series and open time) they were given to, oldest first. */
  private readonly answered = new Map<string, SignalCandidate[]>();
  private readonly hours: HourExpectancyTable;
  private readonly universe: ReadonlySet<string>;
  private readonly historyLength: number;
  private readonly rules: readonly VetoRule[];

  constructor(private readonly options: SignalEngineOptions) {
    this.hours = options.hours ?? new HourExpectancyTable();
    this.universe = new Set(options.universe ?? []);
    this.historyLength = options.historyLength ?? DEFAULT_HISTORY;
    this.rules = options.rules ?? VETO_RULES;
  }

  /**
   * Candidates of every cycle this vector completed, ranked and checked, oldest cycle first. A vector
   * seen before (a redelivery after its handler failed) changes nothing and gets the same candidates
   * as the first time, so the handler can finish what it started.
   */
  onFeatures(vector: FeatureVector): SignalCandidate[] {
    const series = seriesOf(vector);
    const key = `${series}|${vector.openTime}`;
    if (vector.openTime <= (this.newest.get(series) ?? Number.NEGATIVE_INFINITY))
      return this.answered.get(key) ?? [];
    this.newest.set(series, vector.openTime);
    const cycle = this.cycleFor(vector);
    const completed = this.cyclesBefore(vector);
    for (const entry of this.propose(vector)) cycle.entries.push(entry);
    cycle.symbols.add(vector.symbol);
    if (this.universe.size === 0 || [...this.universe].every((s) => cycle.symbols.has(s)))
      completed.push(cycle);
    const candidates = completed.flatMap((c) => this.close(c));
    if (candidates.length > 0) this.remember(key, candidates);
    return candidates;
  }

  /** Ranks and returns every cycle still waiting for symbols (at shutdown or the end of a backtest). */
  flush(): SignalCandidate[] {
    const cycles = [...this.pending.values()].sort((a, b) => a.openTime - b.openTime);
    return cycles.flatMap((c) => this.close(c));
  }

  private propose(vector: FeatureVector): PendingCycle['entries'] {
    const series = seriesOf(vector);
    const history = this.history.get(series) ?? [];
    const entries = this.options.strategies.flatMap((strategy) =>
      strategy.evaluate({ current: vector, history }).map((proposal) => ({
        candidate: toCandidate(proposal, vector),
        input: { proposal, vector, strategy },
      })),
    );
    history.push(vector);
    if (history.length > this.historyLength) history.shift();
    this.history.set(series, history);
    return entries;
  }

  private cycleFor(vector: FeatureVector): PendingCycle {
    const key = cycleKey(vector.timeframe, vector.openTime);
    let cycle = this.pending.get(key);
    if (!cycle) {
      cycle = { timeframe: vector.timeframe, openTime: vector.openTime, symbols: new Set(), entries: [] };
      this.pending.set(key, cycle);
    }
    return cycle;
  }

  private cyclesBefore(vector: FeatureVector): PendingCycle[] {
    return [...this.pending.values()]
      .filter((c) => c.timeframe === vector.timeframe && c.openTime < vector.openTime)
      .sort((a, b) => a.openTime - b.openTime);
  }

  private close(cycle: PendingCycle): SignalCandidate[] {
    this.pending.delete(cycleKey(cycle.timeframe, cycle.openTime));
    const inputs = new Map(cycle.entries.map((e) => [e.candidate.id, e.input]));
    const context = { config: this.options.vetoes, hours: this.hours };
    return rankCandidates(cycle.entries.map((e) => e.candidate)).map((candidate) => {
      const input = inputs.get(candidate.id);
      return { ...candidate, veto: input ? firstVeto(input, context, this.rules) : null };
    });
  }

  private remember(key: string, candidates: SignalCandidate[]): void {
    this.answered.set(key, candidates);
    if (this.answered.size > REMEMBERED_ANSWERS)
      this.answered.delete(this.answered.keys().next().value as string);
  }
}

const seriesOf = (v: FeatureVector): string => `${v.exchange}|${v.symbol}|${v.timeframe}`;
const cycleKey = (timeframe: string, openTime: number): string => `${timeframe}|${openTime}`;

/** The id repeats on replay: it is derived from what the candidate is about, never from a clock. */
export function candidateId(proposal: StrategyProposal, vector: FeatureVector): string {
  return derivedId(
    'candidate',
    proposal.strategy,
    vector.exchange,
    vector.symbol,
    vector.timeframe,
    vector.openTime,
    proposal.side,
  );
}

function toCandidate(proposal: StrategyProposal, vector: FeatureVector): SignalCandidate {
  return {
    id: candidateId(proposal, vector),
    strategy: proposal.strategy,
    setup: proposal.setup,
    exchange: vector.exchange,
    symbol: vector.symbol,
    timeframe: vector.timeframe,
    side: proposal.side,
    entry: proposal.entry,
    stop: proposal.stop,
    takeProfits: proposal.takeProfits,
    confidence: proposal.confidence,
    rank: null,
    rationale: proposal.rationale,
    veto: null,
    regime: vector.regime,
  };
}
