import {
  type Clock,
  derivedId,
  type FeatureVector,
  type SignalCandidate,
  TIMEFRAME_MS,
} from '@ballast/contracts';
import { HourExpectancyTable } from './hour-expectancy';
import {
  barClose,
  type ClosedCycle,
  type CycleEntry,
  type PendingCycle,
  PendingCycles,
} from './pending-cycles';
import { rankCandidates } from './rank-candidates';
import { RememberedAnswers } from './remembered-answers';
import type { Strategy, StrategyProposal } from './strategy';
import type { VetoConfig } from './veto-config';
import { firstVeto, staleRestoredBar, VETO_RULES, type Veto, type VetoRule } from './veto-rules';

export interface SignalEngineOptions {
  strategies: readonly Strategy[];
  vetoes: VetoConfig;
  /** Per-strategy, per-hour expectancy read from the database; empty means no hour is vetoed. */
  hours?: HourExpectancyTable;
  /**
   * Symbols expected every cycle (per exchange): a cycle is ranked as soon as all of them reported.
   * Empty: every vector is its own cycle. A cycle missing a symbol is ranked at its deadline (see
   * `cycleGraceMs`), or when the next bar of its series begins, whichever comes first.
   */
  universe?: readonly string[];
  /** Vectors of each series kept for the strategies (the current one excluded). */
  historyLength?: number;
  rules?: readonly VetoRule[];
  /** Where bar ages and cycle deadlines are measured; without it neither is checked. */
  clock?: Clock;
  /**
   * A vector published (its `emittedAt`) longer than this after its bar closed proposes nothing: its
   * entry, stop and take-profits are as old as the bar (an upstream backlog). It still enters the
   * strategies' history. Without `emittedAt`, measured on `clock`. A candidate put back by `restore` is
   * measured again when its cycle closes, and vetoed `stale_data` past it.
   */
  maxVectorAgeMs?: number;
  /**
   * A vector received longer than this (on `clock`) after it was published proposes nothing either (a
   * backlog of our own, after an outage). Larger than `maxVectorAgeMs`: it has to cover the decisions a
   * vector may wait behind in this service's own queue (slow agents), which are not lateness of the bar.
   */
  maxQueueMs?: number;
  /** A cycle still missing symbols this long after its bar closed (on `clock`) is ranked without them. */
  cycleGraceMs?: number;
}

/** A candidate and the vector of its own bar, which its decision is to be judged on. */
export interface DecidedCandidate {
  readonly candidate: SignalCandidate;
  readonly vector: FeatureVector;
}

/**
 * What became of one delivered vector:
 * - `new`: first seen; it proposed (or joined its cycle)
 * - `repeat`: seen before (a redelivery): the same candidates as its first delivery, nothing changed
 * - `out_of_order`: older than a vector of its series already seen, not a known repeat: ignored
 * - `stale`: published more than `maxVectorAgeMs` after its bar closed, or received more than
 *   `maxQueueMs` after it was published: kept as history, proposed nothing
 */
export type VectorOutcome = 'new' | 'repeat' | 'out_of_order' | 'stale';

/** A strategy that could not read a vector (an indicator it needs is missing): the others still proposed. */
export interface UnreadableBy {
  readonly strategy: string;
  readonly reason: string;
}

export interface EngineAnswer {
  readonly outcome: VectorOutcome;
  /** Candidates of every cycle this answer closed, ranked and checked, oldest cycle first. */
  readonly decided: readonly DecidedCandidate[];
  /** The cycles this answer closed (none on a repeat). */
  readonly cycles: readonly ClosedCycle[];
  readonly unreadable: readonly UnreadableBy[];
  /** How long before now (on the clock) the vector's bar closed; undefined without a clock. */
  readonly ageMs: number | undefined;
  /** The vector and its proposals when its cycle still waits for symbols after this answer. */
  readonly waiting?: WaitingVector;
  /**
   * A repeat whose first answer was never settled and was dropped (more unsettled answers than the engine
   * keeps): whatever that answer held is not given again.
   */
  readonly forgotten?: true;
  /**
   * A new vector whose series had history, but not its previous bar (vectors went missing): the
   * strategies read it without history, so they skipped it (barsRightBefore).
   */
  readonly afterGap?: true;
}

/**
 * A vector in a cycle still waiting for symbols, with the candidates it proposed (unranked, unvetoed):
 * what a service keeps outside its memory, so a restart can put the cycle back (`restore`).
 */
export interface WaitingVector {
  readonly vector: FeatureVector;
  readonly candidates: readonly SignalCandidate[];
}

/** Cycles closed outside a vector's delivery: by their deadline. */
export interface DueAnswer {
  readonly decided: readonly DecidedCandidate[];
  readonly cycles: readonly ClosedCycle[];
}

const DEFAULT_HISTORY = 10;

/**
 * Tier 1 and tier 2 over feature vectors: every strategy proposes, each cycle (one candle close time per
 * exchange and timeframe) is ranked across symbols, then every candidate is checked by the veto rules.
 * Vetoed candidates are returned too, with their reason, so the reason is published. Pure and
 * synchronous; time is the injected clock's.
 */
export class SignalEngine {
  private readonly history = new Map<string, FeatureVector[]>();
  private readonly cycles: PendingCycles;
  /** The open time of the newest vector seen per series: a vector not newer was seen already. */
  private readonly newest = new Map<string, number>();
  /** Answers with candidates, unreadable strategies or a waiting vector, by the vector they were given to. */
  private readonly answered = new RememberedAnswers<
    Pick<EngineAnswer, 'decided' | 'unreadable' | 'waiting'>
  >();
  private readonly hours: HourExpectancyTable;
  /** Vectors of each series kept for the strategies (what a restart primes). */
  readonly historyLength: number;
  private readonly rules: readonly VetoRule[];

  constructor(private readonly options: SignalEngineOptions) {
    this.hours = options.hours ?? new HourExpectancyTable();
    this.cycles = new PendingCycles(new Set(options.universe ?? []), options.cycleGraceMs);
    this.historyLength = options.historyLength ?? DEFAULT_HISTORY;
    this.rules = options.rules ?? VETO_RULES;
  }

  /** The candidates `receive` returns, alone, taken as settled. */
  onFeatures(vector: FeatureVector): SignalCandidate[] {
    const { decided } = this.receive(vector);
    this.settled(vector);
    return decided.map((d) => d.candidate);
  }

  /**
   * The caller finished what `receive` answered for this vector (its candidates published and decided, its
   * waiting vector kept): until then a repeat of it gets the same answer, however many vectors came since.
   */
  settled(vector: FeatureVector): void {
    this.answered.settled(answerKey(vector));
  }

  /**
   * Proposals are computed before any state changes, so a strategy that throws changes nothing the
   * others see. A vector seen before (a redelivery after its handler failed) changes nothing and gets
   * the same candidates as the first time, so the handler can finish what it started.
   */
  receive(vector: FeatureVector, emittedAt?: number): EngineAnswer {
    const series = seriesOf(vector);
    const key = `${series}|${vector.openTime}`;
    const now = this.options.clock?.now();
    const ageMs = now === undefined ? undefined : now - barClose(vector);
    const newest = this.newest.get(series) ?? Number.NEGATIVE_INFINITY;
    if (vector.openTime <= newest) {
      const remembered = this.answered.get(key);
      const outcome: VectorOutcome = remembered || vector.openTime === newest ? 'repeat' : 'out_of_order';
      const answer = {
        outcome,
        decided: remembered?.decided ?? [],
        unreadable: remembered?.unreadable ?? [],
      };
      // Still waiting: the handler keeps it again (its first attempt may have failed to).
      const waiting = this.cycles.isOpen(vector) ? remembered?.waiting : undefined;
      const forgotten = !remembered && this.answered.forgotten(key);
      return {
        ...answer,
        cycles: [],
        ageMs,
        ...(waiting ? { waiting } : {}),
        ...(forgotten ? { forgotten } : {}),
      };
    }
    this.forgetFrom(series, vector.openTime);
    const stale = this.isStale(vector, now, emittedAt);
    const { entries, unreadable, afterGap } = stale
      ? { entries: [], unreadable: [], afterGap: false }
      : this.propose(vector);
    this.newest.set(series, vector.openTime);
    this.keep(series, vector);
    if (!stale) this.cycles.join(vector, entries);
    const { decided, cycles } = this.closeAll(this.cycles.takeClosing(now, vector));
    // A stale vector joined no cycle: nothing of it waits.
    const waiting =
      !stale && this.cycles.isOpen(vector)
        ? { vector, candidates: entries.map((e) => e.candidate) }
        : undefined;
    const kept = waiting ? { waiting } : {};
    if (decided.length > 0 || unreadable.length > 0 || waiting)
      this.answered.remember(key, { decided, unreadable, ...kept });
    return {
      outcome: stale ? 'stale' : 'new',
      decided,
      cycles,
      unreadable,
      ageMs,
      ...kept,
      ...(afterGap ? { afterGap: true as const } : {}),
    };
  }

  /**
   * Puts back vectors that were waiting in open cycles when the last run ended (a crash), oldest first, as
   * their first delivery left them: in their cycle with the candidates they proposed then (the strategies'
   * history of that time is gone), in their series' history, and seen (a redelivery is a repeat). Call it
   * before the first vector; a candidate of a strategy no longer configured is left out. A restored
   * candidate whose bar is older than `maxVectorAgeMs` when its cycle closes (the restart came late) is
   * vetoed `stale_data`: it is published, never decided.
   */
  restore(waiting: readonly WaitingVector[]): void {
    const byName = new Map(this.options.strategies.map((s) => [s.name, s]));
    for (const { vector, candidates } of [...waiting].sort((a, b) => a.vector.openTime - b.vector.openTime)) {
      const series = seriesOf(vector);
      if (vector.openTime <= (this.newest.get(series) ?? Number.NEGATIVE_INFINITY)) continue;
      this.newest.set(series, vector.openTime);
      this.forgetFrom(series, vector.openTime);
      this.keep(series, vector);
      const entries = candidates.flatMap((candidate): CycleEntry[] => {
        const strategy = byName.get(candidate.strategy);
        if (!strategy) return [];
        return [{ candidate, input: { proposal: proposalOf(candidate), vector, strategy }, restored: true }];
      });
      this.cycles.join(vector, entries);
    }
  }

  /**
   * Fills each series' history with vectors a previous run received (read back at start, oldest first),
   * so the first vector after a restart is read with the bars before it, as it would have been without
   * the restart. Nothing is proposed, ranked or decided for them, and they do not count as seen: a
   * delivery of one of them (one the last run never finished, redelivered) is proposed, read with the
   * vectors before it only. A vector not newer than its series' last is left out, as `receive` would
   * have ignored it. Call it before `restore` and the first vector.
   */
  prime(vectors: readonly FeatureVector[]): void {
    for (const vector of vectors) {
      const series = seriesOf(vector);
      const last = this.history.get(series)?.at(-1);
      if (last === undefined || vector.openTime > last.openTime) this.keep(series, vector);
    }
  }

  /** Ranks every cycle whose deadline passed on the clock (called on a timer between vectors). */
  due(): DueAnswer {
    return this.closeAll(this.cycles.takeClosing(this.options.clock?.now()));
  }

  /** Ranks and returns every cycle still waiting for symbols (at shutdown or the end of a backtest). */
  flush(): DueAnswer {
    return this.closeAll(this.cycles.takeAll());
  }

  /**
   * Lateness upstream (published long after the close) and our own (received long after publication)
   * are judged apart, so time spent deciding earlier vectors of the same bar never makes a vector stale.
   */
  private isStale(vector: FeatureVector, now: number | undefined, emittedAt: number | undefined): boolean {
    if (now === undefined) return false;
    const published = emittedAt ?? now;
    const late = published - barClose(vector) > (this.options.maxVectorAgeMs ?? Number.POSITIVE_INFINITY);
    return late || now - published > (this.options.maxQueueMs ?? Number.POSITIVE_INFINITY);
  }

  /** Every strategy's proposals for the vector; one that throws is named, the others still count. */
  private propose(vector: FeatureVector): {
    entries: CycleEntry[];
    unreadable: UnreadableBy[];
    afterGap: boolean;
  } {
    const kept = this.history.get(seriesOf(vector)) ?? [];
    const history = barsRightBefore(vector, kept);
    const entries: CycleEntry[] = [];
    const unreadable: UnreadableBy[] = [];
    for (const strategy of this.options.strategies) {
      try {
        for (const proposal of strategy.evaluate({ current: vector, history: [...history] }))
          entries.push({ candidate: toCandidate(proposal, vector), input: { proposal, vector, strategy } });
      } catch (err) {
        unreadable.push({
          strategy: strategy.name,
          reason: err instanceof Error ? err.message : String(err),
        });
      }
    }
    return { entries, unreadable, afterGap: kept.length > 0 && history.length === 0 };
  }

  /**
   * Drops the primed vectors of a series from `openTime` on: a delivery of that bar comes in their place.
   * Without priming the history holds only vectors older than a new one, and nothing changes.
   */
  private forgetFrom(series: string, openTime: number): void {
    const history = this.history.get(series);
    const last = history?.at(-1);
    if (history && last && last.openTime >= openTime)
      this.history.set(
        series,
        history.filter((v) => v.openTime < openTime),
      );
  }

  private keep(series: string, vector: FeatureVector): void {
    const history = this.history.get(series) ?? [];
    history.push(vector);
    if (history.length > this.historyLength) history.shift();
    this.history.set(series, history);
  }

  private closeAll(closing: readonly PendingCycle[]): DueAnswer {
    return {
      decided: closing.flatMap((c) => this.close(c)),
      cycles: closing.map((c) => ({
        exchange: c.exchange,
        timeframe: c.timeframe,
        openTime: c.openTime,
        missing: this.cycles.missing(c),
      })),
    };
  }

  private close(cycle: PendingCycle): DecidedCandidate[] {
    const entries = new Map(cycle.entries.map((e) => [e.candidate.id, e]));
    const context = { config: this.options.vetoes, hours: this.hours };
    return rankCandidates(cycle.entries.map((e) => e.candidate)).map((candidate) => {
      const entry = entries.get(candidate.id);
      if (!entry) throw new Error(`candidate ${candidate.id} lost its proposal`);
      const { input } = entry;
      const veto =
        (entry.restored && this.staleRestored(input.vector)) || firstVeto(input, context, this.rules);
      return { candidate: { ...candidate, veto }, vector: input.vector };
    });
  }

  /** A restored candidate's bar judged at its cycle's close: its vector was judged on time only when delivered. */
  private staleRestored(vector: FeatureVector): Veto | null {
    return staleRestoredBar(vector, this.options.clock?.now(), this.options.maxVectorAgeMs);
  }
}

const seriesOf = (v: FeatureVector): string => `${v.exchange}|${v.symbol}|${v.timeframe}`;

/**
 * The newest run of `history` that ends on the bar right before `current`, one bar apart each: what a
 * strategy reads as "the previous close" must be the previous bar. Across missing vectors (features
 * went cold after a hole, rejected a candle, or the venue was down) the last one kept is hours or days
 * old, and comparing it with this bar saw a pullback, breakout or RSI crossing that never happened
 * between two bars; the strategies then wait until the series has a previous bar again.
 */
function barsRightBefore(current: FeatureVector, history: readonly FeatureVector[]): FeatureVector[] {
  const step = TIMEFRAME_MS[current.timeframe];
  let start = history.length;
  let expected = current.openTime - step;
  while (start > 0 && history[start - 1]!.openTime === expected) {
    start--;
    expected -= step;
  }
  return history.slice(start);
}

/** The key `receive` remembers a vector's answer by. */
const answerKey = (v: FeatureVector): string => `${seriesOf(v)}|${v.openTime}`;

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

/** The proposal a candidate was made from (`toCandidate` backwards). */
function proposalOf(c: SignalCandidate): StrategyProposal {
  const { strategy, setup, side, entry, stop, takeProfits, confidence, rationale } = c;
  return { strategy, setup, side, entry, stop, takeProfits, confidence, rationale };
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
