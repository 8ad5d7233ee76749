import { deleteStreamsAt, NatsBus } from '@ballast/bus';
import { type Clock, CONFIG_KEYS, type RiskDecision, Subjects, subject } from '@ballast/contracts';
import {
  DEFAULT_EXIT_COSTS,
  DEFAULT_RISK_LIMITS,
  evaluateEntry,
  initialRiskState,
  type RiskLimits,
} from '@ballast/core';
import {
  BotStateRepository,
  ConfigChangeRepository,
  createDb,
  type DbHandle,
  diffConfig,
  migrate,
} from '@ballast/db';
import { type ExchangeSim, startExchangeSim } from '@ballast/exchange-sim';
import {
  createTestDatabase,
  natsUrl,
  sharedDataDir,
  startServiceProcess,
  type TestDatabase,
  uniqueName,
  waitFor,
} from '@ballast/testkit';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { riskConfigSchema } from './config';
import { startRisk } from './service';
import { BTC_RULES, btcBook, btcBookSnapshot, btcSignal, refusedBtcBuy } from './testing/btc-fixtures';

const clock: Clock = { now: () => Date.now() };

let sim: ExchangeSim;
let testDb: TestDatabase;
let handle: DbHandle;
let bus: NatsBus;
/** Publishes as the gateway does (source `gateway`). */
let gateway: NatsBus;
let prefix: string;
const lines: Array<{ level: string; o: Record<string, unknown>; m: string }> = [];
const log = {
  info: (o: object, m: string) => void lines.push({ level: 'info', o: o as Record<string, unknown>, m }),
  warn: (o: object, m: string) => void lines.push({ level: 'warn', o: o as Record<string, unknown>, m }),
};

beforeAll(async () => {
  sim = await startExchangeSim({ dataDir: sharedDataDir(), speed: { mode: 'step' }, bybit: false });
  testDb = await createTestDatabase('risk_config');
  handle = await createDb({ url: testDb.url });
  await migrate(handle.db);
  const servers = await natsUrl();
  prefix = `${uniqueName('riskcfg')}.`;
  bus = await NatsBus.connect({ servers, prefix, source: 'test', clock });
  await bus.ensureStreams();
  gateway = await NatsBus.connect({ servers, prefix, source: 'gateway', clock });
}, 120_000);

afterAll(async () => {
  await gateway?.drain();
  await bus?.drain();
  if (bus) await deleteStreamsAt(await natsUrl(), bus.naming);
  await handle?.db.destroy();
  await testDb?.drop();
  await sim?.close();
}, 120_000);

let changes = 0;

/** What the gateway does for an operator's change: the trail first, then the value, then config.changed. */
async function operatorStores(value: unknown, before: unknown): Promise<string> {
  const id = `change-${++changes}`;
  await new ConfigChangeRepository(handle.db).record({
    id,
    kind: 'risk_limits',
    subject: 'risk',
    actor: 'olivia',
    source: 'gateway',
    reason: 'test',
    diff: diffConfig(before, value),
    figures: null,
    createdAt: clock.now(),
  });
  await new BotStateRepository(handle.db, clock).set(CONFIG_KEYS.riskLimits, value);
  await gateway.publish(subject(Subjects.configChanged, {}), { key: CONFIG_KEYS.riskLimits, changeId: id });
  return id;
}

/**
 * Stores `wrong` over the limits in force as an operator would; resolves with risk's refusal (the fields
 * of its log line) once the limits in force are seen to stay as they were.
 */
async function storedRefused(limits: { current: RiskLimits }, wrong: Record<string, unknown>) {
  const before = limits.current;
  const change = await operatorStores({ ...before, ...wrong }, before);
  const refused = await waitFor(
    () => lines.find((l) => l.level === 'warn' && l.o.changeId === change),
    `the refusal of ${JSON.stringify(wrong)}`,
    { timeoutMs: 30_000 },
  );
  expect(limits.current).toEqual(before);
  return refused.o;
}

const signal = btcSignal;
/** The signals' entry as risk evaluates it, against the recorded book, decided now. */
const btcEntry = () => ({
  ...signal('entry').candidate,
  regime: 'trending' as const,
  volatilityScale: 1,
  sizeMultiplier: 1,
  signalTime: clock.now(),
  book: btcBook,
  rules: BTC_RULES,
  // The service's: RISK_TAKER_FEE_BPS and STOP_LIMIT_OFFSET_BPS unset.
  costs: DEFAULT_EXIT_COSTS,
});

const metric = async (registry: Registry, name: string, labels: string): Promise<number | undefined> => {
  const line = (await registry.metrics()).split('\n').find((l) => l.startsWith(`${name}{${labels}} `));
  return line === undefined ? undefined : Number(line.split(' ').pop());
};

describe('risk limits an operator changes while risk runs', () => {
  it('apply to the next signal: max open positions rejects then admits, risk per trade re-sizes; a bad stored value is refused and the previous limits kept', {
    timeout: 180_000,
  }, async () => {
    const config = riskConfigSchema.parse({ EXCHANGE_BASE_URL: sim.restUrl, RISK_EQUITY: '10000' });
    const registry = new Registry();
    const service = await startRisk({ bus, db: handle.db, clock, config, log, metrics: registry });
    const decisions: RiskDecision[] = [];
    const sub = await bus.subscribe(
      subject(Subjects.riskDecision, {}),
      (m) => void decisions.push(m.payload),
      {
        durable: 'test-config-decisions',
      },
    );
    const decided = (id: string) =>
      waitFor(
        () => decisions.find((d) => (d.approved ? d.intent.candidateId : d.candidateId) === id),
        `the decision on ${id}`,
        { timeoutMs: 30_000 },
      );
    const inForce = (what: string, ok: (l: RiskLimits) => boolean) =>
      waitFor(() => ok(service.limits.current), what, { timeoutMs: 30_000 });
    // An approval holds its room until its order fills or is refused: the orders service refuses it,
    // so the next signal is sized against the limits alone.
    const orderRefused = async (decision: RiskDecision) => {
      if (!decision.approved) throw new Error(`${decision.candidateId} was not approved`);
      const { intentId, qty } = decision.intent;
      await bus.publish(subject(Subjects.orderEvent, {}), refusedBtcBuy(intentId, `bl-${intentId}`, qty));
      await waitFor(() => service.manager.current.pending.length === 0, 'the approval released');
    };
    try {
      await bus.publish(
        subject(Subjects.book, { exchange: 'binance', symbol: 'BTC-USDT' }),
        btcBookSnapshot(clock.now()),
      );
      // One position held on another market: a BTC entry would be the second.
      await bus.publish(subject(Subjects.positionEvent, {}), {
        status: 'opened',
        positionId: 'binance:ETH-USDT',
        strategy: 'test',
        exchange: 'binance',
        symbol: 'ETH-USDT',
        side: 'long',
        qty: 0.01,
        avgEntry: 2000,
        realizedPnl: 0,
        fees: 0,
      });
      await waitFor(() => service.manager.current.positions.length === 1, 'the ETH position');
      expect(service.limits.current).toEqual(DEFAULT_RISK_LIMITS);
      expect(await metric(registry, 'ballast_risk_limit_setting', 'limit="max_open_positions"')).toBe(5);

      await bus.publish(subject(Subjects.signalDecision, {}), signal('cfg-1'));
      const first = await decided('cfg-1');
      expect(first).toMatchObject({ approved: true });
      await orderRefused(first);

      // At most one open position: the next entry is refused, naming the limit.
      const one = { ...DEFAULT_RISK_LIMITS, maxOpenPositions: 1 };
      const firstChange = await operatorStores(one, DEFAULT_RISK_LIMITS);
      await inForce('max open positions 1', (l) => l.maxOpenPositions === 1);
      await bus.publish(subject(Subjects.signalDecision, {}), signal('cfg-2'));
      expect(await decided('cfg-2')).toMatchObject({
        approved: false,
        candidateId: 'cfg-2',
        reason: 'max_open_positions',
        limit: 1,
        value: 2,
      });
      expect(await metric(registry, 'ballast_risk_limit_setting', 'limit="max_open_positions"')).toBe(1);
      expect(await metric(registry, 'ballast_risk_limit_used_ratio', 'limit="max_open_positions"')).toBe(1);
      expect(lines).toContainEqual(
        expect.objectContaining({
          m: 'risk limits in force',
          o: expect.objectContaining({
            changeId: firstChange,
            diff: [{ path: 'maxOpenPositions', from: 5, to: 1 }],
          }),
        }),
      );

      // Two again, and a tenth of the risk per trade: approved, sized by the new risk per trade.
      const smaller = { ...DEFAULT_RISK_LIMITS, maxOpenPositions: 2, riskPerTrade: 0.001 };
      await operatorStores(smaller, one);
      await inForce('risk per trade 0.001', (l) => l.riskPerTrade === 0.001 && l.maxOpenPositions === 2);
      const expected = evaluateEntry(service.manager.current, btcEntry(), smaller, clock.now());
      await bus.publish(subject(Subjects.signalDecision, {}), signal('cfg-3'));
      const approved = await decided('cfg-3');
      // 0.1% of 10,000: at most 10 lost at the stop-limit's worst fill (50 bps below the stop, on the tick)
      // with the 0.1 % taker fee on both fills (the quantity is rounded down to the step).
      if (!expected.ok) throw new Error(`denied: ${expected.detail}`);
      const fill = Math.floor(expected.stop * 0.995 * 100) / 100;
      const lost = expected.qty * (expected.entry - fill) + 0.001 * expected.qty * (expected.entry + fill);
      expect(lost).toBeGreaterThan(9.9);
      expect(lost).toBeLessThanOrEqual(10);
      expect(approved).toMatchObject({
        approved: true,
        intent: { qty: expected.ok ? expected.qty : -1, riskAmount: expected.ok ? expected.riskAmount : -1 },
      });
      // The same entry under the defaults would have risked more (capped by the position notional).
      const before = evaluateEntry(
        initialRiskState(10_000, clock.now()),
        btcEntry(),
        DEFAULT_RISK_LIMITS,
        clock.now(),
      );
      expect(before.ok && expected.ok && before.qty > expected.qty).toBe(true);
      expect(await metric(registry, 'ballast_risk_limit_setting', 'limit="risk_per_trade"')).toBe(0.001);

      // A stored value that is not valid limits: refused, counted, logged; the limits in force stay.
      expect(await metric(registry, 'ballast_risk_limit_loads_total', 'outcome="invalid"')).toBe(0);
      const badChange = await operatorStores({ maxOpenPositions: 0 }, smaller);
      await waitFor(
        async () => (await metric(registry, 'ballast_risk_limit_loads_total', 'outcome="invalid"')) === 1,
        'the invalid limits to be counted',
        { timeoutMs: 30_000 },
      );
      expect(service.limits.current).toEqual(smaller);
      const refused = lines.find((l) => l.level === 'warn' && l.o.changeId === badChange);
      expect(refused?.m).toBe('stored risk limits refused; the previous limits stay in force');
      expect(refused?.o).toMatchObject({
        reason: 'invalid_limits',
        error: expect.stringMatching(/maxOpenPositions/),
      });
      await orderRefused(approved);
      await bus.publish(subject(Subjects.signalDecision, {}), signal('cfg-4'));
      expect(await decided('cfg-4')).toMatchObject({
        approved: true,
        intent: { qty: expected.ok ? expected.qty : -1 },
      });
    } finally {
      await sub.stop();
      await service[Symbol.asyncDispose]();
    }

    // Restarted over the bad stored value: the configured limits, counted, never a crash.
    const again = new Registry();
    const restarted = await startRisk({ bus, db: handle.db, clock, config, log, metrics: again });
    try {
      expect(restarted.limits.current).toEqual(DEFAULT_RISK_LIMITS);
      expect(await metric(again, 'ballast_risk_limit_loads_total', 'outcome="invalid"')).toBe(1);
    } finally {
      await restarted[Symbol.asyncDispose]();
    }
  });
});

describe('stored limits an operator got wrong', () => {
  it('are refused, naming the field, when a percent is written for a fraction or a limit is misspelt', {
    timeout: 120_000,
  }, async () => {
    const config = riskConfigSchema.parse({ EXCHANGE_BASE_URL: sim.restUrl, RISK_EQUITY: '10000' });
    const service = await startRisk({ bus, db: handle.db, clock, config, log });
    try {
      // 1 meant as 1 %: all of equity risked on each trade. Misspelt: the default 15 % stays in force.
      expect(await storedRefused(service.limits, { riskPerTrade: 1 })).toMatchObject({
        reason: 'invalid_limits',
        error: expect.stringMatching(/not a percent \(0\.01 is 1 %\).*riskPerTrade/),
      });
      // 50 meant as 50 % exposure: every position could be opened to its own cap.
      expect(await storedRefused(service.limits, { maxExposure: 50 })).toMatchObject({
        reason: 'invalid_limits',
        error: expect.stringMatching(/not a percent \(0\.5 is 50 %\).*maxExposure/),
      });
      expect(await storedRefused(service.limits, { maxDrawdownPct: 0.05 })).toMatchObject({
        reason: 'invalid_limits',
        error: expect.stringContaining('maxDrawdownPct'),
      });
    } finally {
      await service[Symbol.asyncDispose]();
    }
  });
});

describe("a stop exit allowance below the stops service's stop-limit offset", () => {
  it('stops risk at start, naming both settings', { timeout: 120_000 }, async () => {
    // The default allowance (100 bps) under a 150 bps offset, set once for both services.
    const refused = await startServiceProcess('risk', {
      NATS_URL: await natsUrl(),
      DATABASE_URL: testDb.url,
      BUS_PREFIX: prefix,
      EXCHANGE_BASE_URL: sim.restUrl,
      RISK_EQUITY: '10000',
      STOP_LIMIT_OFFSET_BPS: '150',
    }).then(
      // Started after all: stopped, and the test fails below.
      (risk) => risk.stop(5_000).then(() => undefined),
      (err: Error) => err.message,
    );
    expect(refused).toMatch(/exited \(78\) before it was ready/);
    expect(refused).toMatch(
      /RISK_LIMITS_JSON: invalid \(stopExitAllowanceBps \(100\) is below STOP_LIMIT_OFFSET_BPS \(150/,
    );
  });

  it("is refused in an operator's stored limits, and the limits in force stay", {
    timeout: 120_000,
  }, async () => {
    const config = riskConfigSchema.parse({ EXCHANGE_BASE_URL: sim.restUrl, RISK_EQUITY: '10000' });
    const service = await startRisk({ bus, db: handle.db, clock, config, log });
    try {
      expect(await storedRefused(service.limits, { stopExitAllowanceBps: 20 })).toMatchObject({
        reason: 'invalid_limits',
        error: expect.stringContaining('stopExitAllowanceBps (20) is below STOP_LIMIT_OFFSET_BPS (50'),
      });
    } finally {
      await service[Symbol.asyncDispose]();
    }
  });
});
