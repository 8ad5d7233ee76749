import type { Clock } from '@ballast/contracts';
import type { Notice } from '@ballast/core';
import { PollingLoop } from './polling-loop';

export interface ServiceHealth {
  service: string;
  ok: boolean;
  detail: string;
  since: number;
}

export interface HealthWatchOptions {
  urls: Record<string, string>;
  intervalMs: number;
  clock: Clock;
  onNotice: (notice: Notice) => void;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

/**
 * Polls each service's /readyz and tells only of changes: down, then back. A service already down at
 * the first look is reported; one that is up is not (starting the bot is not news).
 */
export class HealthWatch {
  private readonly last = new Map<string, ServiceHealth>();
  private readonly loop: PollingLoop;

  constructor(private readonly options: HealthWatchOptions) {
    this.loop = new PollingLoop(() => this.pollOnce(), options.intervalMs);
  }

  start(): void {
    if (Object.keys(this.options.urls).length === 0) return;
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** The latest reading of every watched service. */
  current(): ServiceHealth[] {
    return [...this.last.values()];
  }

  async pollOnce(): Promise<void> {
    const results = await Promise.all(
      Object.entries(this.options.urls).map(async ([service, url]) => ({
        service,
        ...(await this.probe(url)),
      })),
    );
    const now = this.options.clock.now();
    for (const r of results) {
      const before = this.last.get(r.service);
      if (before && before.ok === r.ok) {
        before.detail = r.detail;
        continue;
      }
      this.last.set(r.service, { ...r, since: now });
      if (!r.ok)
        this.options.onNotice({
          kind: 'service down',
          severity: 'critical',
          text: `Service down: ${r.service} (${r.detail})`,
          at: now,
        });
      else if (before)
        this.options.onNotice({
          kind: 'service back',
          severity: 'info',
          text: `Service back: ${r.service}`,
          at: now,
        });
    }
  }

  private async probe(url: string): Promise<{ ok: boolean; detail: string }> {
    const f = this.options.fetch ?? fetch;
    try {
      const res = await f(url, { signal: AbortSignal.timeout(this.options.timeoutMs ?? 2_000) });
      await res.body?.cancel();
      return { ok: res.ok, detail: `HTTP ${res.status}` };
    } catch (err) {
      return { ok: false, detail: (err as Error).name === 'TimeoutError' ? 'timed out' : 'unreachable' };
    }
  }
}
