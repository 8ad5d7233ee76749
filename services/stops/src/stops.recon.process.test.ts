import { deleteStreamsAt, NatsBus } from '@ballast/bus';
import {
  type Alert,
  type Clock,
  type Envelope,
  type OrderCommand,
  type PositionEvent,
  pattern,
  type ReconEvent,
  type ReconStatus,
  type StopEvent,
  Subjects,
  subject,
} from '@ballast/contracts';
import { createDb, type DbHandle, migrate, OrderSliceRepository } from '@ballast/db';
import { createCcxtExchange } from '@ballast/exchange';
import type { ExchangeSim } from '@ballast/exchange-sim';
import { replayedCandles, startCandleSim } from '@ballast/exchange-sim/testing';
import {
  createTestDatabase,
  natsUrl,
  type ServiceProcess,
  startServiceProcess,
  type TestDatabase,
  uniqueName,
  waitFor,
} from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Orders, stops and reconciliation as separate processes on the Binance simulator, which replays
// real BTCUSDT 1h candles (binance-spot-ohlcv/BTCUSDT-1h.csv.gz) from 2021-05-10 00:00 UTC with the
// real filters (binance-rest/2021-10-12_spot_api-v3-exchangeInfo.json.gz). The stops service reads
// its stops back only once an hour here: what happens within seconds is driven by reconciliation's
// events and by the prices it is sent, as market-data would send them.
const KEY = 'stops-recon-key';
const SECRET = 'stops-recon-secret';
const HOUR = 3_600_000;
const CLOSE_CONFIRM_MS = 2_000;
const clock: Clock = { now: () => Date.now() };

const candles = replayedCandles();

let sim: ExchangeSim;
let testDb: TestDatabase;
let handle: DbHandle;
let bus: NatsBus;
let servers: string;
let raw: ReturnType<typeof createCcxtExchange>;
let stops: ServiceProcess;
const children: ServiceProcess[] = [];
const stopEvents: StopEvent[] = [];
const alerts: Alert[] = [];
const commands: OrderCommand[] = [];
const positions: PositionEvent[] = [];
const reconEvents: ReconEvent[] = [];
const statuses: ReconStatus[] = [];
/** Candles replayed so far; the last one's close is the simulator's last price. */
let replayed = 0;

beforeAll(async () => {
  sim = await startCandleSim(KEY, SECRET);
  replayed = sim.controls.step(1, 'binance-candles');
  raw = createCcxtExchange({
    exchangeId: 'binance',
    baseUrl: sim.restUrl,
    credentials: { apiKey: KEY, secret: SECRET },
  });
  testDb = await createTestDatabase('stopsrecon');
  handle = await createDb({ url: testDb.url });
  await migrate(handle.db);
  servers = await natsUrl();
  const prefix = `${uniqueName('stopsrecon')}.`;
  bus = await NatsBus.connect({ servers, prefix, source: 'test', clock });
  await bus.ensureStreams();
  const collect =
    <T>(list: T[]) =>
    (m: Envelope<T>) =>
      void list.push(m.payload);
  await bus.subscribe(subject(Subjects.stopEvent, {}), collect(stopEvents), { durable: 't-stop' });
  await bus.subscribe(subject(Subjects.alert, {}), collect(alerts), { durable: 't-alert' });
  await bus.subscribe(subject(Subjects.orderCommand, {}), collect(commands), { durable: 't-cmd' });
  await bus.subscribe(subject(Subjects.positionEvent, {}), collect(positions), { durable: 't-pos' });
  await bus.subscribe(subject(Subjects.reconEvent, {}), collect(reconEvents), { durable: 't-recon' });
  await bus.subscribe(pattern(Subjects.reconStatus), collect(statuses), { durable: 't-status' });
  const env = {
    NATS_URL: servers,
    DATABASE_URL: testDb.url,
    BUS_PREFIX: prefix,
    LOG_LEVEL: 'info',
    EXCHANGE_BASE_URL: sim.restUrl,
    EXCHANGE_API_KEY: KEY,
    EXCHANGE_API_SECRET: SECRET,
  };
  const start = async (name: string, extra: Record<string, string>) => {
    const child = await startServiceProcess(name, { ...env, ...extra }, { readyTimeoutMs: 240_000 });
    children.push(child);
    return child;
  };
  await Promise.all([
    start('reconciliation', {
      RECON_SYMBOLS: 'BTC-USDT',
      RECON_INTERVAL_MS: String(HOUR),
      RECON_IN_FLIGHT_GRACE_MS: '0',
      RECON_STOPS_ON_VENUE: 'true',
    }),
    start('orders', { ORDERS_VENUE_KIND: 'ccxt', ORDERS_VENUE: 'binance', TICK_MS: '50' }),
    start('stops', {
      STOPS_VENUE_KIND: 'ccxt',
      STOPS_VENUE: 'binance',
      VERIFY_INTERVAL_MS: String(HOUR),
      CLOSE_CONFIRM_MS: String(CLOSE_CONFIRM_MS),
      COVERAGE_SAMPLE_MS: '0',
    }).then((child) => {
      stops = child;
    }),
  ]);
}, 600_000);

afterAll(async () => {
  for (const child of children) await child.stop(5_000);
  await bus?.drain();
  if (bus) await deleteStreamsAt(servers, bus.naming);
  await handle?.db.destroy();
  await testDb?.drop();
  await sim?.close();
});

/** Asks reconciliation for a run and returns the first status published after it. */
async function requestRun(): Promise<ReconStatus> {
  const seen = statuses.length;
  await bus.publish(subject(Subjects.reconRequest, {}), { venue: 'binance', requestedBy: 'test' });
  return waitFor(() => statuses[seen], 'a status after the requested run', { timeoutMs: 120_000 });
}

async function metric(name: string): Promise<string[]> {
  const text = await (await fetch(`${stops.httpUrl}/metrics`)).text();
  return text.split('\n').filter((l) => l.startsWith(name));
}

const verified = () => stopEvents.filter((e) => e.kind === 'verified');
const stopCloses = () => commands.filter((c) => c.kind === 'submit' && c.intentId.startsWith('stops:'));
const sells = async () => (await raw.fetchMyTrades('BTC/USDT')).filter((t) => t.side === 'sell');
const ourPosition = async () => {
  const slices = await new OrderSliceRepository(handle.db, clock).all();
  let qty = 0;
  for (const s of slices)
    for (const f of s.fills as Array<{ qty: number }>) qty += s.side === 'buy' ? f.qty : -f.qty;
  return Number(qty.toFixed(8));
};

describe('stops, orders and reconciliation together on the simulator', { timeout: 300_000 }, () => {
  it('protects an entry filled by the orders service with a verified exchange stop; the venue reconciles', async () => {
    // A marketable limit: the simulator replays candles without a book, so a market order's
    // slippage check would find no depth to walk; the limit fills at once at the last price.
    const last = (candles[replayed - 1] as (typeof candles)[number]).close;
    await bus.publish(subject(Subjects.orderCommand, {}), {
      kind: 'submit',
      intentId: 'e2e-entry',
      clientOrderId: 'bl-e2e-entry',
      exchange: 'binance',
      symbol: 'BTC-USDT',
      side: 'buy',
      type: 'limit',
      qty: 0.01,
      price: Math.round(last * 101) / 100,
      triggerPrice: null,
      reduceOnly: false,
      maxSlippageBps: null,
      execution: { algo: 'direct' },
    });
    await waitFor(() => positions.find((p) => p.status === 'opened'), 'the position opened', {
      timeoutMs: 60_000,
    });
    const stop = await waitFor(() => verified()[0], 'the stop verified', { timeoutMs: 60_000 });
    expect(stop).toMatchObject({ qty: 0.01 });
    expect((await requestRun()).status).toBe('reconciled');
  });

  it('re-places within seconds a stop reconciliation finds missing, and the venue is reconciled again', async () => {
    const [original] = verified();
    sim.tamper.cancelOrder('BTCUSDT', original?.clientOrderId as string);
    const found = await requestRun();
    expect(found.status).toBe('unreconciled');
    const missing = await waitFor(() => reconEvents.find((e) => e.kind === 'missing_stop'), 'missing_stop');
    expect(missing.before).toEqual({
      positionId: 'binance:BTC-USDT',
      clientOrderId: original?.clientOrderId,
      coverage: 'not_resting',
      positionQty: 0.01,
    });
    // The periodic read-back is an hour away: reconciliation's event is what sets the re-placement off.
    const replaced = await waitFor(() => verified()[1], 'the stop re-placed and verified', {
      timeoutMs: 30_000,
    });
    expect(replaced.clientOrderId).not.toBe(original?.clientOrderId);
    expect(replaced).toMatchObject({ qty: 0.01, stopPrice: original?.stopPrice });
    expect(alerts.find((a) => a.kind === 'stop_lost')?.message).toContain('cancelled');
    // The loss counted against coverage while it lasted; the stops service asked for a fresh run.
    expect(await metric('ballast_stops_verifications_total{outcome="lost"}')).toEqual([
      'ballast_stops_verifications_total{outcome="lost"} 1',
    ]);
    expect(await metric('ballast_stops_coverage_ratio')).toEqual(['ballast_stops_coverage_ratio 1']);
    await waitFor(() => statuses.at(-1)?.status === 'reconciled', 'reconciled after the re-placement', {
      timeoutMs: 60_000,
    });
    const open = await raw.fetchOpenOrders('BTC/USDT');
    expect(open.map((o) => o.clientOrderId)).toEqual([replaced.clientOrderId]);
  });

  it('closes the position in our records when the venue executes the stop: one sell, no close sent', async () => {
    const stop = verified()[1] as StopEvent;
    const stopPrice = stop.stopPrice as number;
    const through = candles.findIndex((c, i) => i >= replayed && c.low <= stopPrice);
    expect(through).toBeGreaterThan(0);
    replayed += sim.controls.step(through + 1 - replayed, 'binance-candles');
    expect(await sells()).toHaveLength(1);
    // market-data's candle for the same hour: the price went through the stop.
    const c = candles[through] as (typeof candles)[number];
    await bus.publish(
      subject(Subjects.candle, { exchange: 'binance', symbol: 'BTC-USDT', timeframe: '1h' }),
      {
        exchange: 'binance',
        symbol: 'BTC-USDT',
        timeframe: '1h',
        openTime: c.openTime,
        closeTime: c.openTime + HOUR - 1,
        open: c.open,
        high: c.high,
        low: c.low,
        close: c.close,
        volume: c.volume,
      },
    );
    const triggered = await waitFor(
      () => stopEvents.find((e) => e.kind === 'triggered'),
      'the execution seen',
      {
        timeoutMs: 30_000,
      },
    );
    expect(triggered.detail).toContain('venue executed the stop');
    const closed = await waitFor(() => positions.find((p) => p.status === 'closed'), 'the position closed', {
      timeoutMs: 60_000,
    });
    expect(closed).toMatchObject({ positionId: 'binance:BTC-USDT', qty: 0 });
    expect(await ourPosition()).toBe(0);
    await waitFor(() => statuses.at(-1)?.status === 'reconciled', 'reconciled with the stop fill recorded');
    // Longer than CLOSE_CONFIRM_MS, with prices still arriving: still no close from the stops service.
    const after = Date.now() + 2 * CLOSE_CONFIRM_MS;
    await waitFor(
      async () => {
        await bus.publish(
          subject(Subjects.candle, { exchange: 'binance', symbol: 'BTC-USDT', timeframe: '1h' }),
          {
            exchange: 'binance',
            symbol: 'BTC-USDT',
            timeframe: '1h',
            openTime: c.openTime + HOUR,
            closeTime: c.openTime + 2 * HOUR - 1,
            open: c.close,
            high: c.close,
            low: c.close,
            close: c.close,
            volume: 1,
          },
        );
        return Date.now() > after;
      },
      'twice CLOSE_CONFIRM_MS',
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    expect(stopCloses()).toEqual([]);
    expect(await sells()).toHaveLength(1);
    expect(await raw.fetchOpenOrders('BTC/USDT')).toEqual([]);
    expect((await raw.fetchBalance()).BTC).toMatchObject({ free: 0, used: 0 });
    expect(await metric('ballast_stops_coverage_ratio')).toEqual(['ballast_stops_coverage_ratio 1']);
  });
});
