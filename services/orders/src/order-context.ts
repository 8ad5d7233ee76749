import type { Bus } from '@ballast/bus';
import { type Clock, type OrderEvent, type RejectReason, Subjects, subject } from '@ballast/contracts';
import { derivedUuid } from '@ballast/core';
import type { NewSlice, OrderSlice, OrderSliceRepository } from '@ballast/db';
import type { OrderVenue } from '@ballast/exchange';
import type { KillStore } from '@ballast/service-kit';
import type { OrdersConfig } from './config';
import type { IntentPlans } from './intent-plans';
import type { LiveStrategies } from './live-gate';
import type { OrderMetrics } from './order-metrics';
import { Serial } from './serial';
import { SlippageBook } from './slippage-book';
import { TwapPacer } from './twap-pacer';

export interface OrderManagerDeps {
  bus: Bus;
  venue: OrderVenue;
  slices: OrderSliceRepository;
  /** Records each intent's plan, or its refusal, once: a later delivery of it adds nothing. */
  intents: IntentPlans;
  kill: Pick<KillStore, 'load' | 'save'>;
  clock: Clock;
  config: OrdersConfig;
  log: {
    info(o: object, m: string): void;
    warn(o: object, m: string): void;
    error(o: object, m: string): void;
  };
  random01: () => number;
  sleep: (ms: number) => Promise<void>;
  service?: string;
  metrics?: OrderMetrics;
  /** Where the slippage check reads the book; default: the venue's REST book. */
  slippageBook?: SlippageBook;
  /** On a live venue: an approved entry of a strategy not live now is refused (`strategy_not_live`). */
  liveStrategies?: Pick<LiveStrategies, 'refusal' | 'demotion' | 'staleness'>;
}

/** Publish options joining a chain; none for a slice recorded before correlation ids were kept. */
export const chainOf = (correlationId: string | null | undefined) => (correlationId ? { correlationId } : {});

/**
 * What the order manager's parts share: the deps, the one serial chain, the send loop's bookkeeping
 * (when a slice falls due, whether an order may rest on the venue, the direct orders on their way) and
 * the effects several parts have (announce an order event, give up slices never sent).
 */
export class OrderContext {
  /** One writer to the venue: kills, commands, recovery and the send loop run in it in call order. */
  readonly serial = new Serial();
  readonly service: string;
  readonly slippageBook: SlippageBook;
  readonly pacer: TwapPacer;
  /** Set once the manager stops: the loop sends nothing more, a direct order queued is left planned. */
  stopped = false;
  /** Earliest due time of a planned slice the loop owns; it reads the table only once that is reached. */
  nextDueAt = 0;
  /** Whether an order of ours may rest on the venue: the loop looks open orders up only then. */
  mayHaveOpen = true;
  /** Direct orders just recorded as `sending`, sent first by the next pass without reading the table. */
  readonly directQueue: Array<{ slice: NewSlice; kills: number }> = [];
  /** Their client ids until their send is over: a replayed submit must not resolve them as orphans. */
  readonly sendingDirect = new Set<string>();
  /**
   * What the venue said of our orders, recorded, whose announcement (order and position events) has not
   * gone out yet, in order: each runs again, whole, until it does (its ids repeat, so the stream keeps one).
   */
  private readonly unannounced: Array<() => Promise<void>> = [];

  constructor(readonly deps: OrderManagerDeps) {
    this.service = deps.service ?? 'orders';
    this.slippageBook =
      deps.slippageBook ??
      new SlippageBook({
        venue: deps.venue,
        clock: deps.clock,
        maxAgeMs: deps.config.ORDERS_BOOK_MAX_AGE_MS,
      });
    this.pacer = new TwapPacer({ ...deps, slippageBook: this.slippageBook });
  }

  /**
   * Announces something recorded, after those still waiting: a publish the bus refused (NATS unreachable
   * for a moment) throws, and the announcement is made again by the next loop pass (announceLeft) or
   * the next one made, rather than lost with the record reading as settled.
   */
  async announce(run: () => Promise<void>): Promise<void> {
    this.unannounced.push(run);
    await this.announceLeft();
  }

  /** Makes the announcements still waiting, in order; throws at the first whose publish fails. */
  async announceLeft(): Promise<void> {
    for (let run = this.unannounced[0]; run; run = this.unannounced[0]) {
      await run();
      this.unannounced.shift();
    }
  }

  /** A planned slice the loop sends once due. */
  loopOwns(dueAt: number): void {
    this.nextDueAt = Math.min(this.nextDueAt, dueAt);
  }

  /** An order's events join the chain of the message that asked for it (the trade's, for a decision). */
  async publishEvent(slice: OrderSlice, key: string, status: string, event: OrderEvent): Promise<void> {
    this.deps.metrics?.event(event);
    await this.deps.bus.publish(subject(Subjects.orderEvent, {}), event, {
      id: derivedUuid('ord', key, status),
      ...chainOf(slice.correlationId),
    });
  }

  /**
   * Planned slices given up before the venue heard of them, each announced `cancelled` first (so risk
   * frees the room their entry held) and then recorded aborted, as the kill switch's abort does. No
   * reason (null) when nothing refused them: an `ord.cmd` cancel asked for it.
   */
  async cancelUnsent(
    slices: readonly OrderSlice[],
    reason: RejectReason | null,
    detail: string,
  ): Promise<void> {
    for (const slice of slices) {
      await this.publishEvent(slice, `${slice.clientOrderId}|cancelled|`, 'cancelled', {
        ...eventOf(slice),
        status: 'cancelled',
        reason,
        detail,
      });
      await this.deps.slices.update(slice.clientOrderId, { status: 'aborted', detail });
    }
  }
}

/** A part of the order manager: the context it shares with the others, and the deps at hand. */
export abstract class OrderPart {
  protected readonly deps: OrderManagerDeps;

  constructor(protected readonly ctx: OrderContext) {
    this.deps = ctx.deps;
  }
}

/** An order event's fields as a recorded slice gives them. */
export function eventOf(
  slice: Omit<OrderSlice, 'status' | 'fills' | 'detail'>,
): Omit<OrderEvent, 'status' | 'reason' | 'detail'> {
  return {
    intentId: slice.intentId,
    clientOrderId: slice.clientOrderId,
    venueOrderId: slice.venueOrderId,
    exchange: slice.exchange,
    symbol: slice.symbol,
    side: slice.side,
    type: slice.type,
    qty: slice.qty,
    filledQty: slice.filledQty,
    avgPrice: slice.avgPrice,
    fill: null,
  };
}
