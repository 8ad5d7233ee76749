import type { Bus, NatsBus } from '@ballast/bus';
import { type Clock, type RiskDecision, Subjects, subject } from '@ballast/contracts';
import type { DbHandle } from '@ballast/db';
import type { ExchangeSim } from '@ballast/exchange-sim';
import { startVenueFixture, type VenueFixture } from '@ballast/exchange-sim/testing';
import { waitFor } from '@ballast/testkit';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { riskConfigSchema } from '../config';
import { startRisk } from '../service';
import { btcBookSnapshot } from './btc-fixtures';
import { forgetAccount } from './fresh-account';

type RiskService = Awaited<ReturnType<typeof startRisk>>;
const silent = { info() {}, warn() {} };

/** What a risk test runs against: the simulator, its own database and bus, and every decision risk published. */
export type RiskBed = {
  sim: ExchangeSim;
  handle: DbHandle;
  bus: NatsBus;
  /** The bus prefix (BUS_PREFIX): what watchPipeline needs to see risk's consumers at rest. */
  prefix: string;
  decisions: RiskDecision[];
  /** Risk's decision on a candidate, once published. */
  decisionOn(candidateId: string): Promise<RiskDecision>;
  /**
   * Starts risk on the simulator with 10,000 of equity (`env` adds to its configuration) and gives it
   * the recorded BTC-USDT book: its book consumer resumes after what it saw, so a restart needs it again
   * (`book: false` leaves it out: a restart that resumes on deltas). `bus` is risk's own connection
   * (under the bed's prefix) in place of the bed's.
   */
  startRisk(
    clock: Clock,
    env?: Record<string, string>,
    options?: { book?: boolean; bus?: Bus },
  ): Promise<RiskService>;
};

/** Sets up a RiskBed for the test file (before all its tests) and closes it after them. */
export function useRiskBed(label: string): RiskBed {
  let fixture: VenueFixture | undefined;
  const decisions: RiskDecision[] = [];
  const bed = {
    decisions,
    decisionOn: (id: string) =>
      waitFor(
        () => decisions.find((d) => (d.approved ? d.intent.candidateId : d.candidateId) === id),
        `the decision on ${id}`,
      ),
    startRisk: async (
      clock: Clock,
      env: Record<string, string> = {},
      { book = true, bus: riskBus }: { book?: boolean; bus?: Bus } = {},
    ) => {
      const { sim, bus, handle } = bed;
      const config = riskConfigSchema.parse({ EXCHANGE_BASE_URL: sim.restUrl, RISK_EQUITY: '10000', ...env });
      const service = await startRisk({ bus: riskBus ?? bus, db: handle.db, clock, config, log: silent });
      if (!book) return service;
      await bus.publish(
        subject(Subjects.book, { exchange: 'binance', symbol: 'BTC-USDT' }),
        btcBookSnapshot(clock.now()),
      );
      return service;
    },
  } as RiskBed;
  beforeAll(async () => {
    fixture = await startVenueFixture({ label });
    Object.assign(bed, {
      sim: fixture.sim,
      handle: fixture.handle,
      bus: fixture.bus,
      prefix: fixture.prefix,
    });
    await fixture.bus.subscribe(subject(Subjects.riskDecision, {}), (m) => void decisions.push(m.payload), {
      durable: 'test-decisions',
    });
  });
  // Each test starts with nothing decided and no equity history; a test restarts risk itself to see what a restart keeps.
  beforeEach(() => forgetAccount(bed.handle.db));
  afterAll(async () => {
    await fixture?.close();
  });
  return bed;
}
