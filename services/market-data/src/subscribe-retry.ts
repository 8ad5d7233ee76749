import { type BackoffOptions, reconnectDelay } from '@ballast/core';

export interface SubscribeRetryLog {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface SubscribeRetryDeps {
  /** The subscribe requests every connection sends; those naming themselves (`req_id`) can be retried. */
  messages: readonly string[];
  /** Sends on the current connection; false when there is none (the next connect subscribes anyway). */
  send(text: string): boolean;
  backoff: BackoffOptions;
  /** Sends of one request per connection, after which it is left to the next connection. */
  maxAttempts: number;
  /** Uniform in [0, 1): jitter. */
  random01: () => number;
  log: SubscribeRetryLog;
}

/**
 * A subscribe request the venue refused (Bybit `success: false`, its `req_id` echoed) is sent again
 * after a capped, jittered backoff, up to `maxAttempts` times per connection. Without it a refused
 * `kline` or `publicTrade` topic stayed unsubscribed until the next reconnect, hours later; books
 * are re-asked for by their own snapshot timeout besides.
 */
export class SubscribeRetry implements Disposable {
  private readonly byId = new Map<string, string>();
  private readonly attempts = new Map<string, number>();
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly deps: SubscribeRetryDeps) {
    for (const message of deps.messages) {
      const id = requestIdOf(message);
      if (id !== undefined) this.byId.set(id, message);
    }
  }

  /** A new connection sent every request again: each starts over. */
  reset(): void {
    this.stop();
    this.attempts.clear();
  }

  /** The venue refused request `id`; true when it is one of ours (retried, or given up on). */
  onRefused(id: string, detail: string): boolean {
    const message = this.byId.get(id);
    if (message === undefined) return false;
    if (this.timers.has(id)) return true;
    const attempt = this.attempts.get(id) ?? 0;
    if (attempt >= this.deps.maxAttempts) {
      this.deps.log.error(
        { request: id, attempts: attempt, detail, message },
        'subscribe refused again: its topics stay unsubscribed until the next connection',
      );
      return true;
    }
    this.attempts.set(id, attempt + 1);
    const retryInMs = reconnectDelay(attempt, this.deps.backoff, this.deps.random01());
    this.deps.log.warn(
      { request: id, attempt: attempt + 1, retryInMs, detail },
      'subscribe refused: retrying',
    );
    const timer = setTimeout(() => {
      this.timers.delete(id);
      this.deps.send(message);
    }, retryInMs);
    this.timers.set(id, timer);
    return true;
  }

  [Symbol.dispose](): void {
    this.stop();
  }

  private stop(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}

function requestIdOf(message: string): string | undefined {
  try {
    const parsed = JSON.parse(message) as { req_id?: unknown };
    return typeof parsed.req_id === 'string' && parsed.req_id !== '' ? parsed.req_id : undefined;
  } catch {
    return undefined;
  }
}
