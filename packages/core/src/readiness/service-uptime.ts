/** How often each service records a health sample by default (a service's UPTIME_SAMPLE_MS). */
export const DEFAULT_UPTIME_SAMPLE_MS = 60_000;

/** The services without which nothing trades safely: the gate's uptime is the weakest of these. */
export const TRADING_SERVICES = ['market-data', 'features', 'signals', 'risk', 'orders', 'stops'] as const;

export interface ServiceUptime {
  service: string;
  healthy: number;
  expected: number;
  pct: number;
}

export interface UptimeFigure {
  /** The lowest service's share; null when the period holds no sample boundary. */
  pct: number | null;
  services: ServiceUptime[];
  /** The service the figure is, for the printed note. */
  weakest: string | null;
}

/** Sample boundaries (multiples of the interval, as the sampler stamps them) in [from, to]. */
export function expectedSamples(from: number, to: number, intervalMs: number): number {
  if (!(intervalMs > 0) || to < from) return 0;
  return Math.floor(to / intervalMs) - Math.ceil(from / intervalMs) + 1;
}

/**
 * Uptime per required service: its healthy samples over the samples it should have written in
 * [from, to]. A service writes none while it, or the database, is down, so counting only the
 * samples that exist would call a stack that was off for weeks 100 % up; one with none is 0 %.
 */
export function serviceUptime(
  healthyByService: Readonly<Record<string, number>>,
  from: number,
  to: number,
  intervalMs: number,
  required: readonly string[] = TRADING_SERVICES,
): UptimeFigure {
  const expected = expectedSamples(from, to, intervalMs);
  if (expected === 0 || required.length === 0) return { pct: null, services: [], weakest: null };
  const services = required.map((service) => {
    const healthy = healthyByService[service] ?? 0;
    return { service, healthy, expected, pct: Math.min(100, (healthy / expected) * 100) };
  });
  const weakest = services.reduce((low, s) => (s.pct < low.pct ? s : low));
  return { pct: weakest.pct, services, weakest: weakest.service };
}

/** The trading services run one process per venue (ADR 24): each venue's is judged on its own. */
export const VENUE_SERVICES: readonly string[] = ['risk', 'orders', 'stops'];

/**
 * The processes the gate requires of a strategy trading on `venues`: each venue's risk, orders and
 * stops (`orders@binance`) and the other trading services once; with no venue known, each service once.
 */
export function requiredProcesses(venues: readonly string[]): string[] {
  if (venues.length === 0) return [...TRADING_SERVICES];
  return TRADING_SERVICES.flatMap((s) => (VENUE_SERVICES.includes(s) ? venues.map((v) => `${s}@${v}`) : [s]));
}
