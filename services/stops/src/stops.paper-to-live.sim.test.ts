import { NatsBus } from '@ballast/bus';
import { type Clock, type StopEvent, Subjects, subject } from '@ballast/contracts';
import { PaperAccountRepository, ProtectiveStopRepository } from '@ballast/db';
import { binanceClient, startVenueFixture, type VenueFixture } from '@ballast/exchange-sim/testing';
import { natsUrl, waitFor } from '@ballast/testkit';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopsConfigSchema } from './config';
import { PaperStopsLeftError } from './paper-stops-left';
import { StopRecord, startStops } from './service';

// ADR 22. Paper stops take their rules from the simulator's recorded exchangeInfo
// (binance-rest/2021-10-12_spot_api-v3-exchangeInfo.json.gz); live stops rest on the simulator's account.
// Both run under the account id `binance`, on one database. The test plays the orders service.
const account = { apiKey: 'paper-live-stops-key', secret: 'paper-live-stops-secret' };
const clock: Clock = { now: () => Date.now() };
const silent = { info() {}, warn() {}, error() {} };
const where = {
  positionId: 'binance:BTC-USDT',
  exchange: 'binance',
  symbol: 'BTC-USDT',
  side: 'long',
} as const;
let fixture: VenueFixture;
const stopEvents: StopEvent[] = [];

beforeAll(async () => {
  fixture = await startVenueFixture({
    label: 'stops_paper_live',
    account: { ...account, balances: { USDT: '10000', BTC: '1' } },
  });
  await fixture.bus.subscribe(subject(Subjects.stopEvent, {}), (m) => void stopEvents.push(m.payload), {
    durable: 'test-stop-events',
  });
});

afterAll(() => fixture?.close());

/** The stops service on the account id `binance`, its stops on paper or on the simulator. */
async function startStopsOn(kind: 'paper' | 'ccxt') {
  const bus = await NatsBus.connect({
    servers: await natsUrl(),
    prefix: fixture.prefix,
    source: 'stops',
    clock,
  });
  try {
    const service = await startStops({
      bus,
      db: fixture.handle.db,
      clock,
      ids: () => crypto.randomUUID(),
      config: stopsConfigSchema.parse({
        STOPS_VENUE_KIND: kind,
        STOPS_VENUE: 'binance',
        EXCHANGE_BASE_URL: fixture.sim.restUrl,
        EXCHANGE_API_KEY: account.apiKey,
        EXCHANGE_API_SECRET: account.secret,
        VERIFY_INTERVAL_MS: '0',
        COVERAGE_SAMPLE_MS: '0',
      }),
      log: silent,
      metrics: new Registry(),
    });
    return async () => {
      await service[Symbol.asyncDispose]();
      await bus.drain();
    };
  } catch (err) {
    await bus.drain();
    throw err;
  }
}

const activeRecords = () =>
  new ProtectiveStopRepository(fixture.handle.db, clock, StopRecord).active('binance');

async function position(status: 'opened' | 'closed', qty: number): Promise<void> {
  await fixture.bus.publish(subject(Subjects.positionEvent, {}), {
    ...where,
    status,
    qty,
    avgEntry: 58000,
    strategy: 'test',
    realizedPnl: 0,
    fees: 0,
  });
}

describe('stops going live on the database paper trading used', () => {
  it('refuses a live start while a paper stop record is active, placing nothing, and starts once it is closed', {
    timeout: 60_000,
  }, async () => {
    const paper = await startStopsOn('paper');
    await position('opened', 0.01);
    await waitFor(() => stopEvents.find((e) => e.kind === 'placed'), 'the paper stop');
    await paper();

    const refused = await startStopsOn('ccxt').catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(PaperStopsLeftError);
    expect(refused).toMatchObject({
      reason: 'paper_stops_active',
      venue: 'binance',
      records: [{ positionId: 'binance:BTC-USDT', symbol: 'BTC-USDT', side: 'long', qty: 0.01 }],
    });
    expect((refused as Error).message).toContain('binance:BTC-USDT (long 0.01 BTC-USDT, stop');
    expect((refused as Error).message).toContain('pnpm ballast kill --flatten');
    const sim = binanceClient(fixture.sim, account);
    expect(await sim.fetchOpenOrders('BTC/USDT')).toEqual([]);

    // The paper position closed, its record with it: the live start goes ahead with nothing to place.
    const again = await startStopsOn('paper');
    await position('closed', 0);
    await waitFor(async () => (await activeRecords()).length === 0, 'the paper record to close');
    await again();
    const live = await startStopsOn('ccxt');
    expect(await sim.fetchOpenOrders('BTC/USDT')).toEqual([]);
    await live();
  });

  it('refuses on a database from before the venue kind was recorded when the paper broker holds the account', {
    timeout: 60_000,
  }, async () => {
    const paper = await startStopsOn('paper');
    await position('opened', 0.01);
    await waitFor(async () => (await activeRecords()).length === 1, 'the paper record');
    await paper();
    // Before ADR 22 nothing recorded the kind; the orders service's paper account is under the same id.
    await fixture.handle.db.deleteFrom('bot_state').where('key', '=', 'venue-kind:stops:binance').execute();
    await new PaperAccountRepository(fixture.handle.db, clock).saveBalances('binance', { USDT: 10000 });

    const refused = await startStopsOn('ccxt').catch((err: unknown) => err);
    expect(refused).toMatchObject({
      reason: 'paper_stops_active',
      records: [{ positionId: 'binance:BTC-USDT' }],
    });
    expect(await binanceClient(fixture.sim, account).fetchOpenOrders('BTC/USDT')).toEqual([]);
  });
});
