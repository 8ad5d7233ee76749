import { deleteStreamsAt, NatsBus, type PublishOptions } from '@ballast/bus';
import {
  type Alert,
  type Candle,
  type KillCommand,
  type OrderCommand,
  type OrderEvent,
  type PositionEvent,
  type StopEvent,
  type Subject,
  Subjects,
  subject,
} from '@ballast/contracts';
import { VirtualClock } from '@ballast/core';
import { BotStateRepository, type Database, ProtectiveStopRepository } from '@ballast/db';
import { natsUrl, type PipelineWatch, uniqueName, watchPipeline } from '@ballast/testkit';
import type { Kysely } from 'kysely';
import { Registry } from 'prom-client';
import { onTestFinished } from 'vitest';
import { stopsConfigSchema } from '../config';
import { botStatePendingIntents } from '../pending-intent-store';
import { startStops } from '../service';
import { StopRecord } from '../stop-record';
import { FaultyRecords } from './faulty-records';
import type { SpotStopVenue } from './spot-stop-venue';

/**
 * The stops service on NATS JetStream (its own subject prefix and streams, deleted after the test)
 * and on PostgreSQL (the file's database, rows keyed by venue), on a virtual clock the test moves,
 * with what it sends: stop events, alerts and close commands. Each event sent is waited for until
 * every consumer of the prefix is at rest: it and all it caused have been handled (a handler acks
 * after its own publishes are stored).
 */
export class NatsStops {
  readonly records: FaultyRecords;
  readonly stopEvents: StopEvent[] = [];
  readonly alerts: Alert[] = [];
  readonly commands: OrderCommand[] = [];
  private readonly started: Array<{ venue: SpotStopVenue; bus: NatsBus; service: AsyncDisposable }> = [];

  private constructor(
    /** The test moves it (`advance`). */
    readonly clock: VirtualClock,
    private readonly db: Kysely<Database>,
    private readonly servers: string,
    private readonly prefix: string,
    private readonly test: NatsBus,
    private readonly pipeline: PipelineWatch,
  ) {
    this.records = new FaultyRecords(new ProtectiveStopRepository(db, this.clock, StopRecord));
  }

  /** A fixture for the running test, torn down when it finishes. */
  static async create(db: Kysely<Database>): Promise<NatsStops> {
    const servers = await natsUrl();
    const prefix = `${uniqueName('stopsfix')}.`;
    const clock = new VirtualClock(Date.UTC(2024, 0, 1));
    const test = await NatsBus.connect({ servers, prefix, source: 'test', clock });
    await test.ensureStreams();
    const stops = new NatsStops(clock, db, servers, prefix, test, await watchPipeline(servers, prefix));
    onTestFinished(() => stops.close());
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

  /** Starts the service on `venue`, on its own connection (again, after a "crash", on the same stores). */
  async start(venue: SpotStopVenue, overrides: Record<string, string> = {}) {
    const registry = new Registry();
    const bus = await NatsBus.connect({
      servers: this.servers,
      prefix: this.prefix,
      source: 'stops',
      clock: this.clock,
    });
    const service = await startStops({
      bus,
      db: this.db,
      clock: this.clock,
      ids: () => crypto.randomUUID(),
      config: stopsConfigSchema.parse({
        STOPS_VENUE: venue.id,
        VERIFY_INTERVAL_MS: '0',
        COVERAGE_SAMPLE_MS: '0',
        TRAIL_MODE: 'off',
        RETRY_BASE_MS: '5',
        ...overrides,
      }),
      log: { info() {}, warn() {}, error() {} },
      metrics: registry,
      venue,
      stores: {
        records: this.records,
        pending: botStatePendingIntents(new BotStateRepository(this.db, this.clock), venue.id),
      },
    });
    this.started.push({ venue, bus, service });
    const coverage = async () =>
      (await registry.getSingleMetric('ballast_stops_coverage_ratio')?.get())?.values[0]?.value;
    return { manager: service.manager, registry, coverage };
  }

  /** The stored row of a position, read past the injected faults. */
  row(positionId: string) {
    return new ProtectiveStopRepository(this.db, this.clock, StopRecord).get(positionId);
  }

  /** Waits until every message published so far, and all it caused, has been handled. */
  idle(): Promise<void> {
    return this.pipeline.waitIdle({ timeoutMs: 30_000, intervalMs: 10 });
  }

  /**
   * A long of `qty` BTC entered at `avgEntry`; by default opened by a fill no intent names (the fallback
   * stop), else by `strategy` in the decision chain `chain`. `settle: false` returns once it is stored,
   * for an event whose handling never ends (the process dies in it).
   */
  async position(
    exchange: string,
    qty: number,
    avgEntry = 100,
    status: PositionEvent['status'] = 'opened',
    opening: { strategy: string; chain: string } | undefined = undefined,
    { settle = true }: { settle?: boolean } = {},
  ) {
    await this.send(
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
      settle,
    );
  }

  /** Risk's approval of a BTC long of `strategy` entered at 100 with these prices, in the chain `chain`. */
  async approveLong(
    exchange: string,
    strategy: string,
    chain: string,
    stop: number,
    takeProfits: number[] = [],
  ) {
    await this.send(
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
  }

  /**
   * A closed 1h bar of BTC-USDT that closes at `close`. `settle: false` returns once it is stored, for
   * a bar whose handling never ends (the process dies in it).
   */
  async bar(exchange: string, close: number, { settle = true }: { settle?: boolean } = {}) {
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
    await this.send(
      subject(Subjects.candle, { exchange, symbol: 'BTC-USDT', timeframe: '1h' }),
      candle,
      {},
      settle,
    );
  }

  /** A BTC-USDT trade at `price`, at the clock's now. */
  async trade(exchange: string, price: number) {
    await this.send(subject(Subjects.trade, { exchange, symbol: 'BTC-USDT' }), {
      exchange,
      symbol: 'BTC-USDT',
      tradeId: `t${this.clock.now()}`,
      price,
      size: 0.1,
      side: 'buy',
      time: this.clock.now(),
    });
  }

  kill(payload: KillCommand) {
    return this.send(subject(Subjects.kill, {}), payload);
  }

  /**
   * The orders service's acknowledgement of the kill `killId`, with what its flatten came to; from the
   * orders service of `exchange` when given, else from one that names no venue (an older publisher).
   */
  async flattenReported(killId: string, flat: boolean, detail: string, exchange?: string) {
    await this.send(subject(Subjects.controlAck, {}), {
      service: 'orders',
      command: 'kill',
      commandId: killId,
      engaged: true,
      detail,
      flat,
      ...(exchange === undefined ? {} : { exchange }),
    });
  }

  /** The orders service's report on one of its orders. */
  async order(event: OrderEvent) {
    await this.send(subject(Subjects.orderEvent, {}), event);
  }

  /**
   * The orders service's report that a close sent to it (`submit`, e.g. a take-profit's sale) ended with
   * nothing filled: refused by the venue (`rejected`, with its reason) or cancelled.
   */
  async unfilled(
    submit: OrderCommand,
    ended: { status: 'rejected' | 'cancelled'; reason: OrderEvent['reason']; detail: string },
  ) {
    if (submit.kind !== 'submit') throw new Error(`${submit.kind} is no order sent`);
    const { intentId, clientOrderId, exchange, symbol, side, type, qty } = submit;
    await this.order({
      ...{ intentId, clientOrderId, exchange, symbol, side, type, qty, ...ended },
      venueOrderId: null,
      filledQty: 0,
      avgPrice: null,
      fill: null,
    });
  }

  /**
   * Reconciliation's report that the position `positionId` has no stop resting on `exchange`, or, with
   * `coverage`, that no record names it or its stop rests for less than the `positionQty` it holds.
   */
  async missingStop(
    exchange: string,
    positionId: string,
    clientOrderId: string | null = null,
    coverage?: { coverage: 'unrecorded' | 'short'; positionQty: number },
  ) {
    await this.send(subject(Subjects.reconEvent, {}), {
      venue: exchange,
      kind: 'missing_stop',
      before: { positionId, clientOrderId, ...coverage },
      after: null,
      evidence: coverage
        ? `${positionId}: ${coverage.coverage}, ${coverage.positionQty} held`
        : `${positionId} has no stop placed`,
    });
  }

  /** The close commands sent for `exchange`. */
  closes(exchange: string) {
    return this.commands.filter((c) => c.kind === 'submit' && c.exchange === exchange);
  }

  eventsOf(kind: StopEvent['kind']) {
    return this.stopEvents.filter((e) => e.kind === kind);
  }

  private async send<T>(on: Subject<T>, payload: T, options: PublishOptions = {}, settle = true) {
    const sent = await this.test.publish(on, payload, options);
    if (settle) await this.idle();
    return sent;
  }

  /** Stops every service started (a placement left hanging fails first), then deletes the streams. */
  private async close(): Promise<void> {
    for (const { venue } of this.started) venue.abandonHanging();
    for (const { bus, service } of this.started) {
      await service[Symbol.asyncDispose]();
      await bus.drain();
    }
    await this.test.drain();
    await this.pipeline.close();
    await deleteStreamsAt(this.servers, this.test.naming);
  }
}
