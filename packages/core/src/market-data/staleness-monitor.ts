export type Liveness = 'live' | 'stale';

export interface LivenessTransition {
  key: string;
  from: Liveness;
  to: Liveness;
  /** Time of the last update seen for the key. */
  lastUpdate: number;
}

/**
 * Tracks the last update per key (e.g. `binance|BTC-USDT|book`) and reports keys that went quiet
 * for longer than `thresholdMs`, and keys that came back. A key starts live at its first update.
 */
export class StalenessMonitor {
  private readonly keys = new Map<string, { lastUpdate: number; state: Liveness }>();

  constructor(private readonly thresholdMs: number) {}

  touch(key: string, now: number): void {
    const entry = this.keys.get(key);
    if (entry) entry.lastUpdate = Math.max(entry.lastUpdate, now);
    else this.keys.set(key, { lastUpdate: now, state: 'live' });
  }

  forget(key: string): void {
    this.keys.delete(key);
  }

  stateOf(key: string): Liveness | undefined {
    return this.keys.get(key)?.state;
  }

  /** Transitions since the previous check, in key insertion order. */
  check(now: number): LivenessTransition[] {
    const out: LivenessTransition[] = [];
    for (const [key, entry] of this.keys) {
      const next: Liveness = now - entry.lastUpdate > this.thresholdMs ? 'stale' : 'live';
      if (next === entry.state) continue;
      out.push({ key, from: entry.state, to: next, lastUpdate: entry.lastUpdate });
      entry.state = next;
    }
    return out;
  }
}
