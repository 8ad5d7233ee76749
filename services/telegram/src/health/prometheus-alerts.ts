import type { Clock } from '@ballast/contracts';
import type { Notice } from '@ballast/core';
import { z } from 'zod';
import { PollingLoop } from './polling-loop';

/** Prometheus' GET /api/v1/alerts: every alert its rules hold, pending or firing. */
const AlertsResponse = z.object({
  status: z.literal('success'),
  data: z.object({
    alerts: z.array(
      z.object({
        labels: z.record(z.string(), z.string()),
        annotations: z.record(z.string(), z.string()).default({}),
        state: z.string(),
      }),
    ),
  }),
});

export interface FiringAlert {
  /** Its alert name and labels: the same alert, as long as it fires. */
  key: string;
  name: string;
  severity: Notice['severity'];
  summary: string;
}

export interface PrometheusAlertsOptions {
  /** Prometheus' base URL (http://prometheus:9090). */
  url: string;
  intervalMs: number;
  clock: Clock;
  /** Also told once when Prometheus cannot be read, and once when it can be again. */
  onNotice: (notice: Notice) => void;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

const SEVERITIES: ReadonlySet<string> = new Set(['info', 'warning', 'critical']);

/** The firing alerts of an answer, by key; pending ones have not held for their `for:` yet. */
export function firingAlerts(body: unknown): Map<string, FiringAlert> {
  const parsed = AlertsResponse.parse(body);
  const firing = new Map<string, FiringAlert>();
  for (const a of parsed.data.alerts) {
    if (a.state !== 'firing') continue;
    const name = a.labels.alertname ?? 'unnamed alert';
    const key = JSON.stringify(Object.entries(a.labels).sort(([x], [y]) => x.localeCompare(y)));
    const level = a.labels.severity ?? '';
    firing.set(key, {
      key,
      name,
      severity: SEVERITIES.has(level) ? (level as Notice['severity']) : 'warning',
      summary: a.annotations.summary ?? a.annotations.description ?? name,
    });
  }
  return firing;
}

/**
 * Relays Prometheus' own alerts (a service down, stops coverage below one, no reconciliation) to the
 * chat: a dead process cannot publish its own alert on the bus, and nobody watches Prometheus' page.
 * Polls GET /api/v1/alerts and tells only changes: an alert that starts firing, then its end. Those
 * firing at the first look are told (the bot starting is when the operator needs to hear them).
 */
export class PrometheusAlertsWatch {
  private firing: Map<string, FiringAlert> | undefined;
  private unreadableDetail: string | undefined;
  private readonly loop: PollingLoop;

  constructor(private readonly options: PrometheusAlertsOptions) {
    this.loop = new PollingLoop(() => this.pollOnce(), options.intervalMs);
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** The alerts firing at the last reading; empty before the first. */
  current(): FiringAlert[] {
    return [...(this.firing?.values() ?? [])];
  }

  /** Why the last reading failed, or undefined when it succeeded: `current` is then the one before. */
  unreadable(): string | undefined {
    return this.unreadableDetail;
  }

  async pollOnce(): Promise<void> {
    const read = await this.read();
    const now = this.options.clock.now();
    if (typeof read === 'string') {
      // Keep what was firing: an unreadable Prometheus ends no alert.
      if (this.unreadableDetail === undefined)
        this.options.onNotice({
          kind: 'prometheus unreadable',
          severity: 'warning',
          text: `Prometheus alerts unreadable: ${read}`,
          at: now,
        });
      this.unreadableDetail = read;
      return;
    }
    if (this.unreadableDetail !== undefined)
      this.options.onNotice({
        kind: 'prometheus back',
        severity: 'info',
        text: 'Prometheus alerts readable again',
        at: now,
      });
    this.unreadableDetail = undefined;
    const before = this.firing ?? new Map<string, FiringAlert>();
    for (const [key, alert] of read)
      if (!before.has(key))
        this.options.onNotice({
          kind: 'prometheus alert',
          severity: alert.severity,
          text: `Alert ${alert.name}: ${alert.summary}`,
          at: now,
        });
    for (const [key, alert] of before)
      if (!read.has(key))
        this.options.onNotice({
          kind: 'prometheus alert resolved',
          severity: 'info',
          text: `Resolved ${alert.name}: ${alert.summary}`,
          at: now,
        });
    this.firing = read;
  }

  /** The firing alerts, or why they could not be read. */
  private async read(): Promise<Map<string, FiringAlert> | string> {
    const f = this.options.fetch ?? fetch;
    let res: Response;
    try {
      res = await f(`${this.options.url.replace(/\/+$/, '')}/api/v1/alerts`, {
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 5_000),
      });
    } catch (err) {
      return (err as Error).name === 'TimeoutError' ? 'timed out' : 'unreachable';
    }
    if (!res.ok) {
      await res.body?.cancel();
      return `HTTP ${res.status}`;
    }
    try {
      return firingAlerts(await res.json());
    } catch {
      return 'not a Prometheus alerts answer';
    }
  }
}
