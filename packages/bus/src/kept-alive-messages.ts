import type { JsMsg } from '@nats-io/jetstream';

/** A handler still running this long after its message was handed to it: told once, see `stuck`. */
export interface StuckHandlers {
  afterMs: number;
  report(message: JsMsg, runningMs: number): void;
}

/** How often held messages are marked in progress: three times per ack wait. */
export function keepAliveIntervalMs(ackWaitMs: number): number {
  return Math.max(1, Math.floor(ackWaitMs / 3));
}

/**
 * The messages a pull consumer has received and not yet finished, kept from expiring: the one being
 * handled and the ones waiting for it (pulled ahead). Every third of the ack wait each of them is marked
 * in progress (`+WPI`, no reply awaited), so the server redelivers none of them while its handler, or
 * the handlers before it, run longer than the ack wait (a slow agent call); a crashed process stops the
 * marks and its messages are redelivered after the ack wait as before. A message is held from its
 * receipt until the loop asks for the next one. The consumer's max_ack_pending bounds how many wait.
 *
 * The marks keep a handler that never returns holding its durable for ever, every message behind it
 * waiting: at a mark after `stuck.afterMs` of one message, it is reported once (a log line and a
 * counter). It is not taken back: running its message again beside a handler still running it, or
 * the next one before it has finished, is what handlers are not written for (ADR 8 is about repeats
 * one after another).
 */
export class KeptAliveMessages implements AsyncIterable<JsMsg> {
  readonly #waiting: JsMsg[] = [];
  #current: JsMsg | undefined;
  /** When `#current` was handed to the handler (performance.now), and whether it was reported stuck. */
  #currentSince = 0;
  #reported = false;
  #ended = false;
  #failure: { error: unknown } | undefined;
  #wake: (() => void) | undefined;
  readonly #timer: ReturnType<typeof setInterval>;

  constructor(
    messages: AsyncIterable<JsMsg>,
    ackWaitMs: number,
    private readonly stuck?: StuckHandlers,
  ) {
    this.#timer = setInterval(() => this.markInProgress(), keepAliveIntervalMs(ackWaitMs));
    this.#timer.unref();
    void this.receive(messages);
  }

  async *[Symbol.asyncIterator](): AsyncIterator<JsMsg> {
    try {
      for (;;) {
        const next = this.#waiting.shift();
        if (next === undefined) {
          if (this.#ended) break;
          await new Promise<void>((resolve) => {
            this.#wake = resolve;
          });
          this.#wake = undefined;
          continue;
        }
        this.#current = next;
        this.#currentSince = performance.now();
        this.#reported = false;
        yield next;
        this.#current = undefined;
      }
    } finally {
      this.#current = undefined;
      clearInterval(this.#timer);
    }
    if (this.#failure !== undefined) throw this.#failure.error;
  }

  private async receive(messages: AsyncIterable<JsMsg>): Promise<void> {
    try {
      for await (const m of messages) {
        this.#waiting.push(m);
        this.#wake?.();
      }
    } catch (error) {
      this.#failure = { error };
    } finally {
      this.#ended = true;
      this.#wake?.();
    }
  }

  private markInProgress(): void {
    this.#current?.working();
    for (const m of this.#waiting) m.working();
    const current = this.#current;
    if (current === undefined || this.#reported || this.stuck === undefined) return;
    const runningMs = performance.now() - this.#currentSince;
    if (runningMs < this.stuck.afterMs) return;
    this.#reported = true;
    this.stuck.report(current, runningMs);
  }
}
