import type { Clock } from '@ballast/contracts';

export interface UptimeSampleSink {
  record(sample: { service: string; venue?: string; sampledAt: number; healthy: boolean }): Promise<void>;
}

export interface UptimeSamplerDeps {
  service: string;
  /** The venue of a process run one per venue (risk, orders, stops); its samples name it. */
  venue?: string;
  clock: Clock;
  intervalMs: number;
  /** Whether every readiness check passes now. */
  healthy: () => Promise<boolean>;
  sink: UptimeSampleSink;
  onError: (err: unknown) => void;
}

/**
 * Records one health sample per interval, at the interval's boundary, for the readiness gate's
 * uptime criterion. Nothing is written while the process or the database is down: the gate divides
 * each service's healthy samples by the boundaries in the period (serviceUptime), so those minutes
 * count as down. A failed write is reported, never fatal.
 */
export class UptimeSampler {
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly deps: UptimeSamplerDeps) {}

  start(): void {
    void this.sample();
    this.timer = setInterval(() => void this.sample(), this.deps.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  async sample(): Promise<void> {
    const { clock, intervalMs, service, venue } = this.deps;
    const sampledAt = Math.floor(clock.now() / intervalMs) * intervalMs;
    try {
      const healthy = await this.deps.healthy();
      await this.deps.sink.record({ service, ...(venue ? { venue } : {}), sampledAt, healthy });
    } catch (err) {
      this.deps.onError(err);
    }
  }
}
