import type { Clock, Fill, OrderEvent, OrderSide } from '@ballast/contracts';
import { type WalkableBook, walkBook } from '@ballast/core';
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

const TERMINAL = new Set(['filled', 'cancelled', 'rejected', 'expired']);
// References kept for the most recent orders only, so a long-running service does not grow without bound.
const KEEP = 10_000;

function remember<K, V>(map: Map<K, V>, key: K, value: V): void {
  map.set(key, value);
  if (map.size > KEEP) map.delete(map.keys().next().value as K);
}

/**
 * Execution metrics of the order manager: outcomes, slippage against the touch seen when the order
 * was accepted, submit-to-fill latency, TWAP progress. The per-order references live here (in memory:
 * an order accepted before a restart is counted but has no slippage or latency sample).
 */
export class OrderMetrics {
  private readonly events: Counter<'status' | 'reason'>;
  private readonly slippage: Histogram<'side'>;
  private readonly latency: Histogram;
  private readonly twapSlices: Counter<'stage'>;
  private readonly unknownOutcomes: Counter;
  private readonly killSaveFailures: Counter;
  private readonly touches = new Map<string, number>();
  private readonly sentAt = new Map<string, number>();
  private readonly twapIntents = new Map<string, true>();

  constructor(
    registry: Registry,
    private readonly clock: Clock,
    killed: () => boolean,
  ) {
    const registers = [registry];
    this.events = new Counter({
      name: 'ballast_orders_events_total',
      help: 'Order events published, by status and reject reason (none unless rejected)',
      labelNames: ['status', 'reason'],
      registers,
    });
    this.slippage = new Histogram({
      name: 'ballast_orders_slippage_bps',
      help: 'Fill price against the touch when the order was accepted, in bps (positive = worse)',
      labelNames: ['side'],
      buckets: [-20, -5, 0, 1, 2, 5, 10, 20, 50, 100, 200],
      registers,
    });
    this.latency = new Histogram({
      name: 'ballast_orders_submit_to_fill_seconds',
      help: 'Time from sending an order to the venue to learning of each of its fills',
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });
    this.twapSlices = new Counter({
      name: 'ballast_orders_twap_slices_total',
      help: 'TWAP slices planned and sent (progress = sent over planned)',
      labelNames: ['stage'],
      registers,
    });
    for (const stage of ['planned', 'sent']) this.twapSlices.inc({ stage }, 0);
    this.unknownOutcomes = new Counter({
      name: 'ballast_orders_unknown_outcome_total',
      help: 'Sends that ended with neither a venue answer nor a look-up answering: the order stays sending until a later look-up resolves it',
      registers,
    });
    this.killSaveFailures = new Counter({
      name: 'ballast_control_kill_save_failures_total',
      help: 'Failed writes of the kill switch state (in force already; the write is tried again)',
      registers,
    });
    // Born at zero: a rate over a histogram whose first sample already holds a fill loses that fill.
    for (const side of ['buy', 'sell'] as const) this.slippage.zero({ side });
    new Gauge({
      name: 'ballast_control_kill_engaged',
      help: '1 while the kill switch is engaged in this service',
      registers,
      collect() {
        this.set(killed() ? 1 : 0);
      },
    });
  }

  /** A market order was priced against this book: the touch is its slippage reference. */
  accepted(intentId: string, side: OrderSide, qty: number, book: WalkableBook): void {
    const { touch } = walkBook(book, side, qty);
    if (touch !== null) remember(this.touches, intentId, touch);
  }

  twapPlanned(intentId: string, slices: number): void {
    remember(this.twapIntents, intentId, true);
    this.twapSlices.inc({ stage: 'planned' }, slices);
  }

  sent(intentId: string, clientOrderId: string): void {
    remember(this.sentAt, clientOrderId, this.clock.now());
    if (this.twapIntents.has(intentId)) this.twapSlices.inc({ stage: 'sent' });
  }

  filled(intentId: string, clientOrderId: string, side: OrderSide, fill: Fill): void {
    const sent = this.sentAt.get(clientOrderId);
    if (sent !== undefined) this.latency.observe(Math.max(0, this.clock.now() - sent) / 1000);
    const touch = this.touches.get(intentId);
    if (touch === undefined) return;
    const adverse = side === 'buy' ? fill.price - touch : touch - fill.price;
    this.slippage.observe({ side }, (adverse / touch) * 10_000);
  }

  /** A send whose outcome is unknown: it may have filled on the venue, or never reached it. */
  killSaveFailed(): void {
    this.killSaveFailures.inc();
  }

  unknownOutcome(): void {
    this.unknownOutcomes.inc();
  }

  event(event: OrderEvent): void {
    this.events.inc({ status: event.status, reason: event.reason ?? 'none' });
    if (TERMINAL.has(event.status)) this.sentAt.delete(event.clientOrderId);
  }
}
