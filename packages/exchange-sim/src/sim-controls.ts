import type { BinanceVenue } from './binance-venue';
import type { BybitVenue } from './bybit-venue';
import type { FrameFault } from './frame-faults';
import type { HttpFaultSpec, HttpFaults } from './http-faults';
import type { FeedState, ReplayFeed, ReplaySpeed } from './replay-feed';
import type { StreamHub } from './stream-hub';

/** Replay feeds: recorded Binance frames, Binance candle klines, recorded Bybit frames, Bybit candle klines. */
export type FeedName = 'binance' | 'binance-candles' | 'bybit' | 'bybit-candles';
export type Venue = 'binance' | 'bybit';

export interface SimState {
  feeds: FeedState[];
  connections: Record<Venue, number>;
  stalled: Record<Venue, boolean>;
  /** Frames, replies and pings swallowed by stalls so far. */
  suppressed: Record<Venue, number>;
  httpFaults: ReturnType<HttpFaults['pending']>;
}

/**
 * Everything a test or the admin endpoint can do to the running simulator. Methods taking an
 * optional feed or venue act on all of them when it is omitted.
 */
export interface SimControls {
  start(feed?: FeedName): void;
  pause(feed?: FeedName): void;
  setSpeed(speed: ReplaySpeed, feed?: FeedName): void;
  /** Replays the next `count` frames of one feed now; returns how many there were. */
  step(count?: number, feed?: FeedName): number;
  /** Transport faults on one feed's frames (skip = sequence gap, duplicate, reorder two). */
  injectFrameFault(fault: FrameFault, feed?: FeedName): void;
  clearFrameFaults(feed?: FeedName): void;
  /** Closes every WebSocket abruptly; returns how many were open. */
  dropConnections(venue?: Venue): number;
  /** Keeps sockets open but sends nothing (frames are lost, pings unanswered) until resume. */
  stall(venue?: Venue): void;
  resume(venue?: Venue): void;
  /** Sends `text` verbatim (e.g. a malformed frame) to every open socket of the venue. */
  sendRaw(text: string, venue?: Venue): number;
  /** REST faults: 429 with Retry-After, 5xx, or no answer at all, for the next N calls or a path. */
  failHttp(spec: HttpFaultSpec): void;
  clearHttpFaults(): void;
  setBalance(asset: string, free: string, locked?: string): void;
  /** Refuses the next `count` Binance stop orders (Filter failure: MAX_NUM_ALGO_ORDERS). */
  refuseStops(count: number): void;
  /** Refuses the next `count` Bybit subscribe requests naming a topic starting with `topicPrefix`. */
  refuseSubscribes(count: number, topicPrefix?: string): void;
  state(): SimState;
}

export function createControls(
  binance: BinanceVenue,
  bybit: BybitVenue | undefined,
  hubs: Record<Venue, StreamHub>,
  httpFaults: HttpFaults,
): SimControls {
  const feeds = new Map<FeedName, ReplayFeed>([
    ['binance', binance.frames],
    ['binance-candles', binance.candles],
  ]);
  if (bybit) feeds.set('bybit', bybit.frames).set('bybit-candles', bybit.candles);
  const pick = (feed?: FeedName): ReplayFeed[] => {
    if (feed === undefined) return [...feeds.values()];
    const f = feeds.get(feed);
    if (!f) throw new UnknownTargetError('feed', feed);
    return [f];
  };
  const venues = (venue?: Venue): StreamHub[] => (venue === undefined ? Object.values(hubs) : [hubs[venue]]);
  return {
    start: (feed) => {
      for (const f of pick(feed)) f.start();
    },
    pause: (feed) => {
      for (const f of pick(feed)) f.pause();
    },
    setSpeed: (speed, feed) => {
      for (const f of pick(feed)) f.setSpeed(speed);
    },
    step: (count = 1, feed = 'binance') => (pick(feed)[0] as ReplayFeed).step(count),
    injectFrameFault: (fault, feed = 'binance') => {
      for (const f of pick(feed)) f.inject(fault);
    },
    clearFrameFaults: (feed) => {
      for (const f of pick(feed)) f.clearFaults();
    },
    dropConnections: (venue) => venues(venue).reduce((n, h) => n + h.dropAll(), 0),
    stall: (venue) => {
      for (const h of venues(venue)) h.stall();
    },
    resume: (venue) => {
      for (const h of venues(venue)) h.resume();
    },
    sendRaw: (text, venue = 'binance') => hubs[venue].broadcastRaw(text),
    failHttp: (spec) => httpFaults.add(spec),
    clearHttpFaults: () => httpFaults.clear(),
    setBalance: (asset, free, locked) => binance.account.set(asset, free, locked),
    refuseStops: (count) => binance.engine.refuseStops(count),
    refuseSubscribes: (count, topicPrefix) => {
      if (!bybit) throw new UnknownTargetError('venue', 'bybit');
      bybit.refusals.refuse(count, topicPrefix);
    },
    state: () => ({
      feeds: [...feeds.values()].map((f) => f.state()),
      connections: { binance: hubs.binance.count(), bybit: hubs.bybit.count() },
      stalled: { binance: hubs.binance.isStalled(), bybit: hubs.bybit.isStalled() },
      suppressed: { binance: hubs.binance.suppressedCount(), bybit: hubs.bybit.suppressedCount() },
      httpFaults: httpFaults.pending(),
    }),
  };
}

export class UnknownTargetError extends Error {
  readonly reason = 'unknown_target';
  constructor(kind: string, name: string) {
    super(`unknown ${kind}: ${name}`);
  }
}
