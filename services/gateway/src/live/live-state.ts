import type { Bus, Subscription } from '@ballast/bus';
import {
  type Alert,
  type Candle,
  type Clock,
  type ControlAck,
  type Envelope,
  type FeatureVector,
  type Fill,
  type KillCommand,
  type OrderEvent,
  type PositionEvent,
  pattern,
  type ResumeCommand,
  type SignalCandidate,
  type SignalDecision,
  type StopEvent,
  Subjects,
  subject,
  type Trade,
} from '@ballast/contracts';
import { applyControl, type ControlCommand, KILL_RELEASED, type KillState } from '@ballast/core';
import { type LiveEvent, type LiveListener, liveEvent } from './live-event';
import { Ring } from './ring';

export interface PositionView extends PositionEvent {
  correlationId: string;
  updatedAt: number;
}

export interface OrderView extends OrderEvent {
  correlationId: string;
  updatedAt: number;
  fills: Fill[];
}

export interface StopView {
  positionId: string;
  exchange: string;
  symbol: string;
  stopPrice: number | null;
  /** True once the stops service has seen the stop resting on the venue. */
  verified: boolean;
  /** The venue order of the stop shown: a late cancel of an earlier stop of the slot leaves it shown. */
  clientOrderId: string | null;
  lastEvent: string;
  detail: string;
  updatedAt: number;
}

export interface FillView extends Fill {
  clientOrderId: string;
  symbol: string;
  exchange: string;
  side: string;
  correlationId: string;
}

export interface DecisionView extends SignalDecision {
  id: string;
  correlationId: string;
  time: number;
}

export interface CandidateView extends Omit<SignalCandidate, 'regime'> {
  correlationId: string;
  time: number;
  /**
   * The regime the candidate came from; for one that does not carry it, the series' latest feature
   * vector's when the signal came; null before any.
   */
  regime: string | null;
}

/** A stop event kept for the chart's markers. */
export interface StopMark {
  kind: StopEvent['kind'];
  exchange: string;
  symbol: string;
  stopPrice: number | null;
  time: number;
}

/** A kill or resume the switch did not take (a resume given before the kill in force), and its acks. */
export interface IgnoredCommand {
  command: ControlCommand['kind'];
  commandId: string;
  requestedBy: string;
  acks: ControlAck[];
}

export interface ControlView extends KillState {
  /** The services' answers to the command in force. */
  acks: ControlAck[];
  /**
   * Whether this gateway read the command in force on the bus, and so every answer to it since: false for
   * the state it started with, whose answers came before it was reading them.
   */
  acksSeen: boolean;
  /** The latest command not taken since the one in force, so its refusal reaches the operator. */
  ignored: IgnoredCommand | null;
}

const PRICE_EVENT_INTERVAL_MS = 500;
/** Acks of unseen commands kept: a few per service for the last commands is plenty, and stays bounded. */
const EARLY_ACKS_KEPT = 64;
const STATE_FAMILIES = 'all' as const;

/**
 * The gateway's read model of the bus: open positions, orders and their fills, stops, last prices,
 * candles, signals, agent decisions, the kill switch and alerts, each updated as messages arrive, and
 * every message passed on to listeners (the SSE stream; later the Telegram bot).
 *
 * State families are read from the start of their streams under durables unique to this instance,
 * so a restarted gateway rebuilds the picture instead of starting blank.
 */
export class LiveState {
  readonly positions = new Map<string, PositionView>();
  readonly orders = new Map<string, OrderView>();
  readonly stops = new Map<string, StopView>();
  readonly lastPrices = new Map<string, { price: number; time: number }>();
  readonly fills = new Ring<FillView>(2_000);
  readonly decisions = new Ring<DecisionView>(1_000);
  readonly candidates = new Ring<CandidateView>(1_000);
  readonly alerts = new Ring<Alert & { time: number }>(200);
  readonly stopMarks = new Ring<StopMark>(1_000);
  /** Side of each position seen, by correlation id; closed positions stay, so exits read as exits. */
  readonly positionSides = new Map<string, 'long' | 'short'>();
  /** The latest feature vector per `exchange:symbol:timeframe` (support, resistance, regime). */
  readonly features = new Map<string, FeatureVector>();
  private readonly candles = new Map<string, Ring<Candle>>();
  private readonly lastPriceEvent = new Map<string, number>();
  private readonly pendingPrice = new Map<string, NodeJS.Timeout>();
  private readonly listeners = new Set<LiveListener>();
  private readonly subscriptions: Subscription[] = [];
  control: ControlView = { ...KILL_RELEASED, acks: [], acksSeen: false, ignored: null };
  /**
   * Acks of commands not seen yet: acks and commands reach us on separate consumers, so a service's
   * answer can arrive before the command it answers. Kept (the newest few) until that command does.
   */
  private earlyAcks: ControlAck[] = [];

  constructor(
    private readonly bus: Bus,
    private readonly clock: Clock,
    private readonly durablePrefix: string,
  ) {}

  /** Adds a listener for every live event; returns the function that removes it. */
  onEvent(listener: LiveListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The durable consumer names this instance created (to delete when it stops). */
  readonly durables: string[] = [];

  async start(initialKill: KillState): Promise<void> {
    this.control = { ...initialKill, acks: [], acksSeen: false, ignored: null };
    const sub = async <T>(
      on: Parameters<Bus['subscribe']>[0],
      name: string,
      from: 'all' | 'new',
      handle: (m: Envelope<T>) => void,
    ) => {
      const durable = `${this.durablePrefix}-${name}`;
      this.durables.push(durable);
      this.subscriptions.push(
        await this.bus.subscribe(on as never, (m: Envelope<T>) => handle(m), { durable, deliverFrom: from }),
      );
    };
    await sub(subject(Subjects.positionEvent, {}), 'pos', STATE_FAMILIES, (m: Envelope<PositionEvent>) =>
      this.onPosition(m),
    );
    await sub(subject(Subjects.orderEvent, {}), 'ord', STATE_FAMILIES, (m: Envelope<OrderEvent>) =>
      this.onOrder(m),
    );
    await sub(subject(Subjects.stopEvent, {}), 'stop', STATE_FAMILIES, (m) => this.onStop(m as never));
    await sub(subject(Subjects.signalDecision, {}), 'dec', STATE_FAMILIES, (m) =>
      this.onDecision(m as never),
    );
    await sub(subject(Subjects.signalCandidate, {}), 'cand', STATE_FAMILIES, (m) =>
      this.onCandidate(m as never),
    );
    await sub(subject(Subjects.kill, {}), 'kill', 'new', (m) => this.onKill(m as never));
    await sub(subject(Subjects.resume, {}), 'resume', 'new', (m) => this.onResume(m as never));
    await sub(subject(Subjects.controlAck, {}), 'ack', 'new', (m) => this.onAck(m as never));
    await sub(subject(Subjects.alert, {}), 'alert', STATE_FAMILIES, (m) => this.onAlert(m as never));
    await sub(pattern(Subjects.trade), 'trade', 'new', (m) => this.onTrade(m as never));
    await sub(pattern(Subjects.candle), 'candle', STATE_FAMILIES, (m) => this.onCandle(m as never));
    await sub(pattern(Subjects.features), 'feat', 'new', (m) => this.onFeatures(m as never));
  }

  async stop(): Promise<void> {
    for (const s of this.subscriptions.splice(0)) await s.stop();
    for (const timer of this.pendingPrice.values()) clearTimeout(timer);
    this.pendingPrice.clear();
    this.listeners.clear();
  }

  /** The market's latest price and when it was printed. */
  mark(exchange: string, symbol: string): { price: number; time: number } | undefined {
    return this.lastPrices.get(`${exchange}:${symbol}`);
  }

  candleSeries(exchange: string, symbol: string, timeframe: string): Candle[] {
    return this.candles.get(`${exchange}:${symbol}:${timeframe}`)?.values() ?? [];
  }

  seriesKeys(): string[] {
    return [...this.candles.keys()];
  }

  private emit(event: LiveEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  private onPosition(m: Envelope<PositionEvent>): void {
    const p = m.payload;
    this.positionSides.set(m.correlationId, p.side);
    if (p.status === 'closed') this.positions.delete(p.positionId);
    else this.positions.set(p.positionId, { ...p, correlationId: m.correlationId, updatedAt: m.eventTime });
    this.emit(liveEvent('position', m, p));
  }

  private onOrder(m: Envelope<OrderEvent>): void {
    const o = m.payload;
    const previous = this.orders.get(o.clientOrderId);
    const fills = [...(previous?.fills ?? [])];
    if (o.fill && !fills.some((f) => f.tradeId === o.fill?.tradeId)) {
      fills.push(o.fill);
      this.fills.push({
        ...o.fill,
        clientOrderId: o.clientOrderId,
        symbol: o.symbol,
        exchange: o.exchange,
        side: o.side,
        correlationId: m.correlationId,
      });
    }
    this.orders.set(o.clientOrderId, { ...o, fills, correlationId: m.correlationId, updatedAt: m.eventTime });
    this.emit(liveEvent('order', m, o));
  }

  private onStop(m: Envelope<StopEvent>): void {
    const s = m.payload;
    const before = this.stops.get(s.positionId);
    const verified =
      s.kind === 'verified'
        ? true
        : s.kind === 'placed' || s.kind === 'moved'
          ? false
          : (before?.verified ?? false);
    // A late cancel of an earlier stop of the slot (its cancel had failed) leaves the one shown as it is.
    const earlier =
      s.kind === 'cancelled' &&
      s.clientOrderId !== null &&
      (before?.clientOrderId ?? s.clientOrderId) !== s.clientOrderId;
    const gone = s.kind === 'cancelled' || s.kind === 'triggered' || s.kind === 'flattened';
    if (gone && !earlier) this.stops.delete(s.positionId);
    else if (!gone)
      this.stops.set(s.positionId, {
        positionId: s.positionId,
        exchange: s.exchange,
        symbol: s.symbol,
        stopPrice: s.stopPrice ?? before?.stopPrice ?? null,
        verified,
        clientOrderId: s.clientOrderId ?? before?.clientOrderId ?? null,
        lastEvent: s.kind,
        detail: s.detail,
        updatedAt: m.eventTime,
      });
    this.stopMarks.push({
      kind: s.kind,
      exchange: s.exchange,
      symbol: s.symbol,
      stopPrice: s.stopPrice ?? before?.stopPrice ?? null,
      time: m.eventTime,
    });
    this.emit(liveEvent('stop', m, s));
  }

  private onTrade(m: Envelope<Trade>): void {
    const t = m.payload;
    const key = `${t.exchange}:${t.symbol}`;
    this.lastPrices.set(key, { price: t.price, time: t.time });
    // Trades come by the hundred per second; browsers need a couple of price updates a second,
    // and the last one of a burst must not be lost (a trailing emit carries it).
    if (this.pendingPrice.has(key)) return;
    const wait = PRICE_EVENT_INTERVAL_MS - (this.clock.now() - (this.lastPriceEvent.get(key) ?? 0));
    const send = () => {
      this.pendingPrice.delete(key);
      this.lastPriceEvent.set(key, this.clock.now());
      const last = this.lastPrices.get(key);
      if (last)
        this.emit(liveEvent('price', m, { exchange: t.exchange, symbol: t.symbol, price: last.price }));
    };
    if (wait <= 0) send();
    else this.pendingPrice.set(key, setTimeout(send, wait));
  }

  private onCandle(m: Envelope<Candle>): void {
    const c = m.payload;
    const key = `${c.exchange}:${c.symbol}:${c.timeframe}`;
    const ring = this.candles.get(key) ?? new Ring<Candle>(1_000);
    this.candles.set(key, ring);
    ring.push(c);
    const priceKey = `${c.exchange}:${c.symbol}`;
    const last = this.lastPrices.get(priceKey);
    if (!last || last.time <= c.closeTime)
      this.lastPrices.set(priceKey, { price: c.close, time: c.closeTime });
    this.emit(liveEvent('candle', m, c));
  }

  private onFeatures(m: Envelope<FeatureVector>): void {
    const f = m.payload;
    this.features.set(`${f.exchange}:${f.symbol}:${f.timeframe}`, f);
  }

  private onDecision(m: Envelope<SignalDecision>): void {
    this.decisions.push({ ...m.payload, id: m.id, correlationId: m.correlationId, time: m.eventTime });
    this.emit(liveEvent('decision', m, m.payload));
  }

  private onCandidate(m: Envelope<SignalCandidate>): void {
    const c = m.payload;
    const regime = c.regime ?? this.features.get(`${c.exchange}:${c.symbol}:${c.timeframe}`)?.regime ?? null;
    this.candidates.push({ ...c, correlationId: m.correlationId, time: m.eventTime, regime });
    this.emit(liveEvent('candidate', m, m.payload));
  }

  private onKill(m: Envelope<KillCommand>): void {
    this.applyControl({ kind: 'kill', id: m.id, at: m.eventTime, kill: m.payload }, m.payload.requestedBy);
    this.emit(liveEvent('kill', m, m.payload));
  }

  private onResume(m: Envelope<ResumeCommand>): void {
    this.applyControl({ kind: 'resume', id: m.id, at: m.eventTime }, m.payload.requestedBy);
    this.emit(liveEvent('resume', m, m.payload));
  }

  /**
   * The switch as the services hold it: a command given before the one in force leaves it as it is.
   * Applied at this gateway's time, as the services apply it at theirs: a sender's fast clock must not
   * date a kill past the resumes that follow it here either.
   */
  private applyControl(command: ControlCommand, requestedBy: string): void {
    const { applied, state } = applyControl(this.control, command, this.clock.now());
    const acks = this.takeEarlyAcks(command.id);
    if (applied) this.control = { ...state, acks, acksSeen: true, ignored: null };
    else this.control.ignored = { command: command.kind, commandId: command.id, requestedBy, acks };
  }

  private onAck(m: Envelope<ControlAck>): void {
    const { commandId } = m.payload;
    if (commandId === this.control.commandId) this.control.acks.push(m.payload);
    else if (commandId === this.control.ignored?.commandId) this.control.ignored.acks.push(m.payload);
    else {
      this.earlyAcks.push(m.payload);
      if (this.earlyAcks.length > EARLY_ACKS_KEPT) this.earlyAcks.shift();
    }
    this.emit(liveEvent('ack', m, m.payload));
  }

  private takeEarlyAcks(commandId: string): ControlAck[] {
    const taken = this.earlyAcks.filter((a) => a.commandId === commandId);
    this.earlyAcks = this.earlyAcks.filter((a) => a.commandId !== commandId);
    return taken;
  }

  private onAlert(m: Envelope<Alert>): void {
    this.alerts.push({ ...m.payload, time: m.eventTime });
    this.emit(liveEvent('alert', m, m.payload));
  }
}
