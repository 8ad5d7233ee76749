import { deleteStreamsAt, NatsBus } from '@ballast/bus';
import { createDb, type DbHandle, migrate } from '@ballast/db';
import { createTestDatabase, natsUrl, type TestDatabase, uniqueName } from '@ballast/testkit';
import type { ExchangeSim } from '../exchange-sim';
import { type SimAccount, startBinanceSim } from './binance-sim';

export interface VenueFixtureOptions {
  /** Names the test database and the bus prefix, so a leftover is traced to its test file. */
  readonly label: string;
  /** The Binance account to trade on; none: market data and rules only. */
  readonly account?: SimAccount;
  /** Connect a test bus under a unique prefix with its streams created (default true). */
  readonly bus?: boolean;
  /** Migrate the database here (default true); false leaves it empty for services that migrate on start. */
  readonly migrate?: boolean;
}

/** The simulator and a fresh database: all a test without a NATS bus needs. */
export interface SimDbFixture {
  readonly sim: ExchangeSim;
  readonly testDb: TestDatabase;
  readonly handle: DbHandle;
  /** Ends everything the fixture started, in reverse order; stop services using it first. */
  close(): Promise<void>;
}

/** A fixture with a bus: `prefix` (ending in '.') is what a service under test needs as BUS_PREFIX. */
export interface VenueFixture extends SimDbFixture {
  readonly bus: NatsBus;
  readonly prefix: string;
}

type Closer = () => Promise<unknown>;

/**
 * The integration set-up the venue-facing services share: the Binance simulator for `account`, a
 * fresh database of their own and, unless `bus: false`, a test bus (source 'test') on real NATS.
 * If a step fails, what was already started is closed before the error is thrown.
 */
export async function startVenueFixture(options: VenueFixtureOptions & { bus: false }): Promise<SimDbFixture>;
export async function startVenueFixture(options: VenueFixtureOptions): Promise<VenueFixture>;
export async function startVenueFixture(options: VenueFixtureOptions): Promise<SimDbFixture | VenueFixture> {
  const closers: Closer[] = [];
  const close = async () => {
    for (const closer of closers.splice(0).reverse()) await closer();
  };
  try {
    const sim = await startBinanceSim(options.account);
    closers.push(() => sim.close());
    const testDb = await createTestDatabase(options.label);
    closers.push(() => testDb.drop());
    const handle = await createDb({ url: testDb.url });
    closers.push(() => handle.db.destroy());
    if (options.migrate !== false) await migrate(handle.db);
    const base = { sim, testDb, handle, close };
    if (options.bus === false) return base;
    return { ...base, ...(await connectTestBus(options.label, closers)) };
  } catch (err) {
    await close();
    throw err;
  }
}

async function connectTestBus(label: string, closers: Closer[]): Promise<{ bus: NatsBus; prefix: string }> {
  const servers = await natsUrl();
  const prefix = `${uniqueName(label)}.`;
  const clock = { now: () => Date.now() };
  const bus = await NatsBus.connect({ servers, prefix, source: 'test', clock });
  closers.push(() => deleteStreamsAt(servers, bus.naming));
  closers.push(() => bus.drain());
  await bus.ensureStreams();
  return { bus, prefix };
}
