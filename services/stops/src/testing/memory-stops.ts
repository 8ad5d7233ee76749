import { MemoryBus, MemoryHub } from '@ballast/bus';
import {
  type Alert,
  type Candle,
  type KillCommand,
  type OrderCommand,
  type OrderEvent,
  type PositionEvent,
  type StopEvent,
  Subjects,
  subject,
} from '@ballast/contracts';
import { VirtualClock } from '@ballast/core';
import type { StopVenue } from '@ballast/exchange';
import { Registry } from 'prom-client';
import { stopsConfigSchema } from '../config';
import type { PendingIntentStore } from '../pending-intent-store';
import { StopManager, type StopRecordStore } from '../stop-manager';
import { StopMetrics } from '../stop-metrics';
import type { StopRecord } from '../stop-record';

/** protective_stops in memory, outliving a restart of the manager; its writes fail when told. */
export class MemoryRecords implements StopRecordStore {
  readonly rows = new Map<string, { status: 'active' | 'closed'; state: StopRecord }>();
  /** Writes still to fail. */
  failSaves = 0;
  failGets = 0;

  async save(key: { positionId: string }, status: 'active' | 'closed', state: StopRecord): Promise<void> {
    if (this.failSaves > 0) {
      this.failSaves--;
      throw new Error('connection terminated unexpectedly');
    }
    this.rows.set(key.positionId, { status, state: structuredClone(state) });
  }

  async get(positionId: string) {
    if (this.failGets > 0) {
      this.failGets--;
      throw new Error('connection terminated unexpectedly');
    }
    const row = this.rows.get(positionId);
    return row ? structuredClone(row) : undefined;
  }

  async active(): Promise<StopRecord[]> {
    return [...this.rows.values()].filter((r) => r.status === 'active').map((r) => structuredClone(r.state));
  }
}

function memoryIntents(): PendingIntentStore {
  let kept: Parameters<PendingIntentStore['save']>[0] = [];
  return {
    load: async () => [...kept],
    save: async (pending) => {
      kept = [...pending];
    },
  };
}

/**
 * A stop manager on an in-process bus (deterministic delivery, redelivery and dead letters as on
 * NATS) with in-memory stores, and what it sends: stop events, alerts and close commands.
 */
export class MemoryStops {
  readonly hub = new MemoryHub();
  /** The test moves it (`advance`). */
  readonly clock = new VirtualClock(Date.UTC(2024, 0, 1));
  readonly records = new MemoryRecords();
  readonly pending = memoryIntents();
  readonly stopEvents: StopEvent[] = [];
  readonly alerts: Alert[] = [];
  readonly commands: OrderCommand[] = [];
  private readonly test = new MemoryBus({ source: 'test', clock: this.clock, hub: this.hub });

  static async create(): Promise<MemoryStops> {
    const stops = new MemoryStops();
    const { test } = stops;
    await test.subscribe(subject(Subjects.stopEvent, {}), (m) => void stops.stopEvents.push(m.payload), {
      durable: 't-stop',
    });
    await test.subscribe(subject(Subjects.alert, {}), (m) => void stops.alerts.push(m.payload), {
      durable: 't-alert',
    });
    await test.subscribe(subject(Subjects.orderCommand, {}), (m) => void stops.commands.push(m.payload), {
      durable: 't-cmd',
    });
    return stops;
  }

  /** Starts a manager on `venue` (again, after a "crash", on the same stores and venue). */
  async start(venue: StopVenue, overrides: Record<string, string> = {}) {
    const registry = new Registry();
    const manager = new StopManager({
      bus: new MemoryBus({ source: 'stops', clock: this.clock, hub: this.hub }),
      venue,
      store: this.records,
      pending: this.pending,
      recentBars: async () => [],
      metrics: new StopMetrics(registry),
      clock: this.clock,
      config: stopsConfigSchema.parse({
        STOPS_VENUE: venue.id,
        VERIFY_INTERVAL_MS: '0',
        TRAIL_MODE: 'off',
        ...overrides,
      }),
      log: { info() {}, warn() {}, error() {} },
      sleep: async () => undefined,
    });
    await manager.start();
    const coverage = async () =>
      (await registry.getSingleMetric('ballast_stops_coverage_ratio')?.get())?.values[0]?.value;
    return { manager, registry, coverage };
  }

  /** Waits until every message published so far has been handled. */
  idle(): Promise<void> {
    return this.hub.idle();
  }

  /**
   * A long of `qty` BTC entered at `avgEntry`; by default opened by a fill no intent names (the fallback
   * stop), else by `strategy` in the decision chain `chain`.
   */
  async position(
    exchange: string,
    qty: number,
    avgEntry = 100,
    status: PositionEvent['status'] = 'opened',
    opening: { strategy: string; chain: string } | undefined = undefined,
  ) {
    await this.test.publish(
      subject(Subjects.positionEvent, {}),
      {
        status,
        positionId: `${exchange}:BTC-USDT`,
        strategy: opening?.strategy ?? null,
        exchange,
        symbol: 'BTC-USDT',
        side: 'long',
        qty,
        avgEntry,
        realizedPnl: 0,
        fees: 0,
        intentId: null,
      },
      opening ? { correlationId: opening.chain } : {},
    );
    await this.idle();
  }

  /** Risk's approval of a BTC long of `strategy` entered at 100 with these prices, in the chain `chain`. */
  async approveLong(
    exchange: string,
    strategy: string,
    chain: string,
    stop: number,
    takeProfits: number[] = [],
  ) {
    await this.test.publish(
      subject(Subjects.riskDecision, {}),
      {
        approved: true,
        intent: {
          intentId: `i-${chain}`,
          candidateId: `c-${chain}`,
          strategy,
          exchange,
          symbol: 'BTC-USDT',
          positionSide: 'long',
          side: 'buy',
          qty: 1,
          entry: 100,
          stop,
          takeProfits,
          riskAmount: 5,
        },
      },
      { correlationId: chain },
    );
    await this.idle();
  }

  /** A closed 1h bar of BTC-USDT that closes at `close`. */
  async bar(exchange: string, close: number) {
    const openTime = this.clock.now() - 3_600_000;
    const candle: Candle = {
      exchange,
      symbol: 'BTC-USDT',
      timeframe: '1h',
      openTime,
      closeTime: openTime + 3_599_999,
      open: close,
      high: close,
      low: close,
      close,
      volume: 1,
    };
    await this.test.publish(
      subject(Subjects.candle, { exchange, symbol: 'BTC-USDT', timeframe: '1h' }),
      candle,
    );
    await this.idle();
  }

  /** A BTC-USDT trade at `price`, at the clock's now. */
  async trade(exchange: string, price: number) {
    await this.test.publish(subject(Subjects.trade, { exchange, symbol: 'BTC-USDT' }), {
      exchange,
      symbol: 'BTC-USDT',
      tradeId: `t${this.clock.now()}`,
      price,
      size: 0.1,
      side: 'buy',
      time: this.clock.now(),
    });
    await this.idle();
  }

  async kill(payload: KillCommand) {
    const sent = await this.test.publish(subject(Subjects.kill, {}), payload);
    await this.idle();
    return sent;
  }

  /** The orders service's acknowledgement of the kill `killId`, with what its flatten came to. */
  async flattenReported(killId: string, flat: boolean, detail: string) {
    await this.test.publish(subject(Subjects.controlAck, {}), {
      service: 'orders',
      command: 'kill',
      commandId: killId,
      engaged: true,
      detail,
      flat,
    });
    await this.idle();
  }

  /** The orders service's report on one of its orders. */
  async order(event: OrderEvent) {
    await this.test.publish(subject(Subjects.orderEvent, {}), event);
    await this.idle();
  }

  /** Reconciliation's report that the position `positionId` has no stop resting on `exchange`. */
  async missingStop(exchange: string, positionId: string, clientOrderId: string | null = null) {
    await this.test.publish(subject(Subjects.reconEvent, {}), {
      venue: exchange,
      kind: 'missing_stop',
      before: { positionId, clientOrderId },
      after: null,
      evidence: `${positionId} has no stop placed`,
    });
    await this.idle();
  }

  /** The close commands sent for `exchange`. */
  closes(exchange: string) {
    return this.commands.filter((c) => c.kind === 'submit' && c.exchange === exchange);
  }

  eventsOf(kind: StopEvent['kind']) {
    return this.stopEvents.filter((e) => e.kind === kind);
  }
}
