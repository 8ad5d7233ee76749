/** Answers kept after their caller settled them, so a vector delivered again gets what it got first. */
const SETTLED_KEPT = 256;
/**
 * Answers kept until their caller settles them, whatever came in between: a bound only for a caller that
 * never does (a delivery given up for good), far above the vectors a bar boundary brings (universe ×
 * timeframes × venues) while a failed one waits for its redelivery.
 */
const UNSETTLED_KEPT = 4_096;

/**
 * What a signal engine answered for each recent vector, by key. An answer is unsettled until its caller
 * says its candidates are published and decided: no number of other answers makes the engine forget it,
 * since the candidates of the cycle its vector closed exist nowhere else. Settled answers are kept a while
 * for repeats that find nothing left to do. An unsettled answer dropped past the bound is remembered as
 * forgotten, so a repeat of its vector can say so rather than pass for one that had nothing.
 */
export class RememberedAnswers<A> {
  private readonly settledAnswers = new Map<string, A>();
  private readonly unsettled = new Map<string, A>();
  private readonly forgottenKeys = new Set<string>();

  get(key: string): A | undefined {
    return this.unsettled.get(key) ?? this.settledAnswers.get(key);
  }

  /** Whether an unsettled answer of this key was dropped past the bound. */
  forgotten(key: string): boolean {
    return this.forgottenKeys.has(key);
  }

  /** Keeps an answer its caller has yet to settle. */
  remember(key: string, answer: A): void {
    this.unsettled.set(key, answer);
    if (this.unsettled.size <= UNSETTLED_KEPT) return;
    const oldest = this.unsettled.keys().next().value as string;
    this.unsettled.delete(oldest);
    this.forgottenKeys.add(oldest);
    if (this.forgottenKeys.size > UNSETTLED_KEPT)
      this.forgottenKeys.delete(this.forgottenKeys.values().next().value as string);
  }

  /** The caller settled the answer of this key (nothing when it has none): from now on it may be forgotten. */
  settled(key: string): void {
    const answer = this.unsettled.get(key);
    if (answer === undefined) return;
    this.unsettled.delete(key);
    this.settledAnswers.set(key, answer);
    if (this.settledAnswers.size > SETTLED_KEPT)
      this.settledAnswers.delete(this.settledAnswers.keys().next().value as string);
  }
}
