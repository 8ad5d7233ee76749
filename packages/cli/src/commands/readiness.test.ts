import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type BacktestConfigInput,
  type BacktestResult,
  type BacktestTrade,
  runBacktest,
} from '@ballast/backtest';
import type { SignalDecision } from '@ballast/contracts';
import {
  DEFAULT_READINESS_THRESHOLDS,
  equityBaselineKey,
  PaperStart,
  ReadinessThresholds,
  readinessKeys,
  redCriteria,
  SeededRandom,
  StoredBacktest,
  StoredLifecycle,
  seededIds,
  TRADING_SERVICES,
  VirtualClock,
} from '@ballast/core';
import {
  BotStateRepository,
  CandleRepository,
  ClosedTradeRepository,
  ConfigChangeRepository,
  createDb,
  type DbHandle,
  LiveOverrideRepository,
  migrate,
  OrderSliceRepository,
  ServiceUptimeRepository,
  SignalDecisionRepository,
  StopCoverageRepository,
} from '@ballast/db';
import { createTestDatabase, sharedDataDir, type TestDatabase } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  optionsFrom,
  type ReadinessFlags,
  type ReadinessRunOptions,
  readinessExitCode,
  runReadiness,
  uptimeSampleMsDefault,
} from './readiness';
import { looserBacktestConfig } from './readiness-config';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const START = Date.UTC(2021, 0, 1);
const NOW = START + 36 * DAY;
// Real Binance spot 1h candles for the same-period backtest: binance-spot-ohlcv/BTCUSDT-1h.csv.gz.
const BTC = join(sharedDataDir(), 'binance-spot-ohlcv', 'BTCUSDT-1h.csv.gz');
const EXCHANGE_INFO = join(sharedDataDir(), 'binance-rest', '2021-10-12_spot_api-v3-exchangeInfo.json.gz');

/** A backtest round trip of one day's hour, from day `day` of the paper period. */
const backtestTrade = (strategy: string, pnl: number, day: number): BacktestTrade => ({
  symbol: 'BTC-USDT',
  side: 'long',
  strategy,
  entry_time: START + day * DAY,
  exit_time: START + day * DAY + HOUR,
  qty: 0.01,
  entry_price: 30_000,
  exit_price: 30_000 + pnl * 100,
  fees: 0,
  pnl,
  exit_reason: 'take_profit',
});

/** Thresholds loose enough for a few days and trades to go live (as `green_loosened`). */
const LOOSE = ReadinessThresholds.parse({
  minPaperDays: 1,
  minClosedTrades: 0,
  minSharpe: -100,
  minStopCoveragePct: 0,
  minUptimePct: 0,
});

/** mean_reversion's paper period starts with its first close. */
const MR_START = START + 20 * DAY;

/** Records one closed trade of `strategy` on `exchange`. */
const closeTrade = (
  db: DbHandle['db'],
  strategy: string,
  exchange: string,
  key: string,
  pnl: number,
  closeTime: number,
) =>
  new ClosedTradeRepository(db).record({
    tradeKey: key,
    strategy,
    exchange,
    symbol: 'BTC-USDT',
    pnl,
    closeTime,
  });

/** A trade result pattern: two wins of 10 then a loss of 8, one close per day from day 0. */
const pnlOf = (i: number): number => (i % 3 === 2 ? -8 : 10);

describe('ballast readiness against PostgreSQL', () => {
  let testDb: TestDatabase;
  let handle: DbHandle;
  const clock = new VirtualClock(NOW);
  const ids = seededIds(clock, new SeededRandom(5));
  const lines: string[] = [];
  const deps = () => ({ db: handle.db, clock, ids, print: (l: string) => lines.push(l) });
  const lifecycleOf = async (strategy: string) =>
    (await new BotStateRepository(handle.db, clock).get(readinessKeys.lifecycle(strategy), StoredLifecycle))
      ?.value;
  // The services sample health every 4 h here, so the fixture stays small.
  const SAMPLE_MS = 4 * HOUR;
  const base: ReadinessRunOptions = {
    initialEquity: 10_000,
    thresholds: DEFAULT_READINESS_THRESHOLDS,
    uptimeSampleMs: SAMPLE_MS,
  };
  let dir: string;

  /** The settings `ballast backtest` records with the defaults' costs and review. */
  const DEFAULT_GATE_SETTINGS = { takerFee: 0.001, makerFee: 0.001, slippageBps: 5, agents: 'rules' };
  /** A `ballast backtest --json` result from `from` to now with these trades, written to a file. */
  const writeBacktest = (
    name: string,
    trades: BacktestTrade[],
    expectancy: number,
    from: number,
    gateSettings: object | null = DEFAULT_GATE_SETTINGS,
    symbols: string[] = ['BTC-USDT', 'ETH-USDT'],
  ): string => {
    const result = {
      meta: {
        symbols,
        timeframe: '1h',
        from,
        to: clock.now(),
        initial_equity: 10_000,
        ...(gateSettings ? { gate_settings: gateSettings } : {}),
      },
      trades,
      metrics: { trades: trades.length, expectancy, max_drawdown_pct: 1 },
    } as unknown as BacktestResult;
    const path = join(dir, name);
    writeFileSync(path, JSON.stringify(result));
    return path;
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ballast-readiness-'));
    testDb = await createTestDatabase('cli_readiness');
    handle = await createDb({ url: testDb.url, poolSize: 2 });
    await migrate(handle.db);
    const trades = new ClosedTradeRepository(handle.db);
    for (let i = 0; i < 35; i++)
      await trades.record({
        tradeKey: `tp-${i}`,
        strategy: 'trend_pullback',
        exchange: 'binance',
        symbol: 'BTC-USDT',
        pnl: pnlOf(i),
        closeTime: START + 12 * HOUR + i * DAY,
      });
    for (let i = 0; i < 10; i++)
      await trades.record({
        tradeKey: `mr-${i}`,
        strategy: 'mean_reversion',
        exchange: 'binance',
        symbol: 'ETH-USDT',
        pnl: -3,
        closeTime: MR_START + i * HOUR,
      });
    const uptime = new ServiceUptimeRepository(handle.db);
    const stops = new StopCoverageRepository(handle.db);
    // Every trading service healthy at every boundary from the first close to past the tests' last clock.
    for (let at = START + 12 * HOUR, i = 0; at <= NOW + 5 * DAY; at += SAMPLE_MS, i++) {
      for (const service of TRADING_SERVICES) await uptime.record({ service, sampledAt: at, healthy: true });
      await stops.record({ source: 'stops', sampledAt: at, openPositions: i % 2, protectedPositions: i % 2 });
    }
  });

  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await handle?.db.destroy();
    await testDb?.drop();
  });

  it('prints each criterion with its figure, backtesting the paper period on real candles', async () => {
    lines.length = 0;
    const {
      judged: [r],
    } = await runReadiness(
      {
        ...base,
        strategies: ['trend_pullback'],
        data: { files: [BTC], timeframe: '1h', seed: 1, exchangeInfoFile: EXCHANGE_INFO },
      },
      deps(),
    );
    const expectancy = Array.from({ length: 35 }, (_, i) => pnlOf(i)).reduce((s, p) => s + p, 0) / 35;
    const byName = Object.fromEntries(r!.report.criteria.map((c) => [c.criterion, c]));
    expect(byName.paper_days).toMatchObject({ ok: true, value: 35.5, threshold: 30 });
    expect(byName.closed_trades).toMatchObject({ ok: true, value: 35 });
    expect(byName.expectancy).toMatchObject({ ok: true, value: expectancy });
    expect(byName.max_drawdown!.value).toBeCloseTo((8 / 10_020) * 100, 10);
    expect(byName.stop_coverage).toMatchObject({
      ok: true,
      value: 100,
      note: '107 of 214 samples had open positions',
    });
    expect(byName.uptime).toMatchObject({
      ok: true,
      value: 100,
      note: 'lowest: market-data, 214 of 214 samples healthy',
    });
    expect(byName.sharpe).toMatchObject({ ok: true, target: 1 });
    // The same-period backtest, run independently: from the first close's hour to now, this strategy only.
    const bt = await runBacktest({
      files: [BTC],
      timeframe: '1h',
      from: START + 12 * HOUR,
      to: NOW,
      strategy: 'trend_pullback',
      seed: 1,
      config: { initialEquity: 10_000, exchangeInfoFile: EXCHANGE_INFO },
    });
    expect(byName.backtest!.value).toBe(bt.metrics.expectancy);
    // Orders rounded with BTCUSDT's recorded rules: no warning of assumed ones.
    expect(lines.filter((l) => l.includes('warning'))).toEqual([]);
    const btGreen = bt.metrics.trades > 0 && bt.metrics.expectancy > 0 && bt.metrics.max_drawdown_pct < 15;
    expect(byName.backtest!.ok).toBe(btGreen);
    expect(r!.report.ok).toBe(btGreen);
    expect(r!.lifecycle).toMatchObject({ from: 'shadow', state: btGreen ? 'live' : 'shadow' });
    expect(lines[0]).toBe(
      `trend_pullback: ${btGreen ? 'GREEN' : 'RED'} (lifecycle shadow → ${btGreen ? 'live: all_green' : 'shadow: criteria_red'})`,
    );
    expect(lines[2]).toBe('  green  closed_trades          35  needs >= 30');
    expect(lines[6]).toBe(
      '  green  stop_coverage     100.00%  needs >= 100 [107 of 214 samples had open positions]',
    );
  }, 120_000);

  it('promotes a red strategy only by a recorded override, which expires after 30 days by default', async () => {
    lines.length = 0;
    const {
      judged: [r],
    } = await runReadiness(
      { ...base, strategies: ['mean_reversion'], override: { reason: 'small size trial', by: 'ana' } },
      deps(),
    );
    expect(r!.lifecycle).toMatchObject({ from: 'shadow', state: 'live', reason: 'override' });
    expect(lines[0]).toBe('mean_reversion: RED (lifecycle shadow → live: override, override recorded)');
    expect(await new LiveOverrideRepository(handle.db).latest('mean_reversion')).toMatchObject({
      strategy: 'mean_reversion',
      reason: 'small size trial',
      by: 'ana',
      createdAt: NOW,
      expiresAt: NOW + 30 * DAY,
      redCriteria: ['paper_days', 'closed_trades', 'sharpe', 'expectancy', 'backtest'],
    });
    const red = ['paper_days', 'closed_trades', 'sharpe', 'expectancy', 'backtest'];
    const audit = await new ConfigChangeRepository(handle.db).recent(10, 'mean_reversion');
    // Same instant: listed by id, so sorted here by kind.
    expect(audit.map((c) => [c.kind, c.actor, c.source, c.createdAt]).sort()).toEqual([
      ['lifecycle', 'ana', 'cli', NOW],
      ['readiness_override', 'ana', 'cli', NOW],
    ]);
    const lifecycle = audit.find((c) => c.kind === 'lifecycle');
    const until = new Date(NOW + 30 * DAY).toISOString();
    expect(lifecycle).toMatchObject({
      reason: `override: live by recorded override until ${until}; red: ${red.join(', ')}`,
      diff: [{ path: 'state', from: null, to: 'live' }],
    });
    expect(lifecycle?.figures).toMatchObject({ closed_trades: 10 });
    expect(audit.find((c) => c.kind === 'readiness_override')).toMatchObject({
      reason: 'small size trial',
      diff: [
        { path: 'override.expiresAt', from: null, to: NOW + 30 * DAY },
        { path: 'override.redCriteria', from: null, to: red },
      ],
    });
    expect((await lifecycleOf('mean_reversion'))?.overrideExpiresAt).toBe(NOW + 30 * DAY);

    // Uptime turns red when the stack wrote no samples for days; the override still holds until it expires.
    const {
      judged: [later],
    } = await runReadiness(
      { ...base, strategies: ['mean_reversion'] },
      { ...deps(), clock: new VirtualClock(NOW + 10 * DAY) },
    );
    expect(redCriteria(later!.report)).toEqual([...red.slice(0, 4), 'uptime', 'backtest']);
    expect(later!.lifecycle).toMatchObject({ from: 'live', state: 'live', reason: 'live_healthy' });
  });

  it('an override promotes once: after a demotion the strategy stays in shadow until a new one', async () => {
    const trades = new ClosedTradeRepository(handle.db);
    const trade = (tradeKey: string, pnl: number, closeTime: number) =>
      trades.record({
        tradeKey,
        strategy: 'breakout',
        exchange: 'binance',
        symbol: 'BTC-USDT',
        pnl,
        closeTime,
      });
    for (let i = 0; i < 5; i++) await trade(`bo-paper-${i}`, -2, START + 20 * DAY + i * HOUR);
    const run = async (override?: { reason: string; by: string }) =>
      (await runReadiness({ ...base, strategies: ['breakout'], ...(override ? { override } : {}) }, deps()))
        .judged[0]!;

    const promoted = await run({ reason: 'small size trial', by: 'ana' });
    expect(promoted.lifecycle).toMatchObject({ from: 'shadow', state: 'live', reason: 'override' });
    const _red = redCriteria(promoted.report);

    const since = clock.now();
    for (let i = 0; i < 10; i++) await trade(`bo-live-${i}`, -3, since + (i + 1) * HOUR);
    clock.advance(DAY);
    const demoted = await run();
    expect(demoted.lifecycle).toMatchObject({ from: 'live', state: 'shadow', reason: 'live_expectancy' });

    clock.advance(DAY);
    const after = await run();
    // The old override was spent on the first promotion.
    expect(after.lifecycle).toMatchObject({ from: 'shadow', state: 'shadow', reason: 'criteria_red' });
    expect(after.overrideRecorded).toBe(false);

    const again = await run({ reason: 'second trial after review', by: 'ana' });
    expect(again.lifecycle).toMatchObject({ from: 'shadow', state: 'live', reason: 'override' });
    expect(again.overrideRecorded).toBe(true);
  });
  it('records no override when the lifecycle moved while judged: nothing promoted, and no override left standing', async () => {
    const trades = new ClosedTradeRepository(handle.db);
    for (let i = 0; i < 3; i++)
      await trades.record({
        tradeKey: `raced-${i}`,
        strategy: 'raced',
        exchange: 'binance',
        symbol: 'BTC-USDT',
        pnl: -2,
        closeTime: START + 21 * DAY + i * HOUR,
      });
    await runReadiness({ ...base, strategies: ['raced'] }, deps());
    expect(await lifecycleOf('raced')).toMatchObject({ state: 'shadow' });
    // Another writer rewrites the record just after this run read it (as risk or a second run would).
    const state = new BotStateRepository(handle.db, clock);
    let armed = true;
    const racing = handle.db.withPlugin({
      transformQuery: (args) => args.node,
      transformResult: async (args) => {
        const value = (args.result.rows[0] as { value?: unknown } | undefined)?.value;
        const read = typeof value === 'string' ? JSON.parse(value) : value;
        if (armed && read && typeof read === 'object' && 'state' in read && 'since' in read) {
          armed = false;
          await state.set(readinessKeys.lifecycle('raced'), {
            ...read,
            since: (read.since as number) - HOUR,
          });
        }
        return args.result;
      },
    });
    lines.length = 0;
    const run = await runReadiness(
      { ...base, strategies: ['raced'], override: { reason: 'small size trial', by: 'ana' } },
      { ...deps(), db: racing },
    );
    expect(armed).toBe(false);
    expect(run.judged).toEqual([]);
    expect(await lifecycleOf('raced')).toMatchObject({ state: 'shadow' });
    expect(await new LiveOverrideRepository(handle.db).latest('raced')).toBeUndefined();
    const audit = await new ConfigChangeRepository(handle.db).recent(10, 'raced');
    expect(audit.map((c) => c.kind)).toEqual(['lifecycle']);
    expect(run.failed).toMatchObject([
      {
        strategy: 'raced',
        error: expect.stringContaining('nothing recorded, the override neither, run again'),
      },
    ]);
  });

  it('judges each strategy of a backtest file on its own trades; one with none there is red', async () => {
    const backtestOf = (r: { report: { criteria: Array<{ criterion: string }> } }) =>
      r.report.criteria.find((c) => c.criterion === 'backtest');
    const onlyTrend = writeBacktest(
      'trend.json',
      [0, 1, 2, 3].map((i) => backtestTrade('trend_pullback', 10, i)),
      10,
      MR_START,
    );
    lines.length = 0;
    const {
      judged: [mr],
    } = await runReadiness({ ...base, strategies: ['mean_reversion'], backtestFile: onlyTrend }, deps());
    expect(backtestOf(mr!)).toMatchObject({ ok: false, value: 0, note: '0 trades, max drawdown 0.00%' });
    expect(lines[0]).toBe("mean_reversion: judged on its own 0 of the backtest's 4 trades (none: red)");

    // Mixed: each strategy's figures from its trades alone, not the run's (expectancy 5 over 6 trades),
    // over each one's paper period.
    const mixedFrom = (name: string, from: number) =>
      writeBacktest(
        name,
        [
          'trend_pullback',
          'mean_reversion',
          'trend_pullback',
          'trend_pullback',
          'mean_reversion',
          'trend_pullback',
        ].map((s, i) => backtestTrade(s, s === 'trend_pullback' ? 10 : -5, i)),
        5,
        from,
      );
    const {
      judged: [mr2],
    } = await runReadiness(
      { ...base, strategies: ['mean_reversion'], backtestFile: mixedFrom('mixed-mr.json', MR_START) },
      deps(),
    );
    const {
      judged: [tp],
    } = await runReadiness(
      {
        ...base,
        strategies: ['trend_pullback'],
        backtestFile: mixedFrom('mixed-tp.json', START + 12 * HOUR),
      },
      deps(),
    );
    expect(backtestOf(mr2!)).toMatchObject({ ok: false, value: -5, note: '2 trades, max drawdown 0.10%' });
    expect(backtestOf(tp!)).toMatchObject({ ok: true, value: 10, note: '4 trades, max drawdown 0.00%' });
  });

  it("does not count a backtest of other markets than the paper period's: one that replayed none of them passed", async () => {
    const ethOnly = writeBacktest(
      'eth-only.json',
      [0, 1, 2, 3].map((i) => ({ ...backtestTrade('trend_pullback', 10, i), symbol: 'ETH-USDT' })),
      10,
      START + 12 * HOUR,
      DEFAULT_GATE_SETTINGS,
      ['ETH-USDT'],
    );
    lines.length = 0;
    const {
      judged: [tp],
    } = await runReadiness({ ...base, strategies: ['trend_pullback'], backtestFile: ethOnly }, deps());
    expect(tp!.report.criteria.find((c) => c.criterion === 'backtest')).toMatchObject({
      ok: false,
      value: null,
      note: 'no backtest over the period',
    });
    expect(lines).toContain(
      'trend_pullback: the backtest replayed ETH-USDT, not every market of the paper period (BTC-USDT); not counted',
    );
  });

  it('refuses a --backtest file that is not a backtest result (an optimize result, say), naming the file and what it lacks', async () => {
    const optimizeResult = join(dir, 'optimize.json');
    writeFileSync(
      optimizeResult,
      JSON.stringify({ meta: { from: START, to: NOW, windows: 4 }, folds: [], grid: [], oos_total: {} }),
    );
    // Refused before any strategy is judged (it judged each 'not judged: Cannot read properties of undefined').
    await expect(
      runReadiness({ ...base, strategies: ['trend_pullback'], backtestFile: optimizeResult }, deps()),
    ).rejects.toThrow(
      `--backtest ${optimizeResult}: not a backtest result (ballast backtest --json): no trades, no metrics`,
    );
  });

  it('promotes under loosened thresholds as green_loosened, recording the thresholds in the audit', async () => {
    const trades = new ClosedTradeRepository(handle.db);
    for (const [i, pnl] of [4, -1, 6].entries())
      await trades.record({
        tradeKey: `mo-${i}`,
        strategy: 'momentum',
        exchange: 'binance',
        symbol: 'BTC-USDT',
        pnl,
        closeTime: START + 21 * DAY + i * DAY,
      });
    const thresholds = LOOSE;
    const backtestFile = writeBacktest(
      'momentum.json',
      [backtestTrade('momentum', 5, 21)],
      5,
      START + 21 * DAY,
    );
    lines.length = 0;
    const {
      judged: [r],
    } = await runReadiness({ ...base, thresholds, strategies: ['momentum'], backtestFile }, deps());
    const loosened =
      'minPaperDays 1 (default 30), minClosedTrades 0 (default 30), minSharpe -100 (default 0.5), ' +
      'minStopCoveragePct 0 (default 100), minUptimePct 0 (default 99)';
    expect(r!.report.ok).toBe(true);
    expect(r!.lifecycle).toMatchObject({ from: 'shadow', state: 'live', reason: 'green_loosened' });
    expect(lines[0]).toBe(`thresholds looser than the defaults: ${loosened}`);
    const [row] = (await new ConfigChangeRepository(handle.db).recent(10, 'momentum')).filter(
      (c) => c.kind === 'lifecycle',
    );
    expect(row).toMatchObject({
      reason: `green_loosened: every criterion is green under a gate looser than the defaults: ${loosened}`,
      diff: [{ path: 'state', from: null, to: 'live' }],
    });
    expect(row?.figures).toMatchObject({ closed_trades: 3, thresholds });
  });

  it('judges a --backtest file by the costs and review it recorded: cheaper or unreviewed, or unrecorded, is loosened; an hour table is refused', async () => {
    const trades = new ClosedTradeRepository(handle.db);
    for (const [i, pnl] of [4, -1, 6].entries())
      await trades.record({
        tradeKey: `gs-${i}`,
        strategy: 'recorded_costs',
        exchange: 'binance',
        symbol: 'BTC-USDT',
        pnl,
        closeTime: START + 21 * DAY + i * DAY,
      });
    const judgedOn = async (gateSettings: object | null) => {
      const backtestFile = writeBacktest(
        `recorded-costs-${crypto.randomUUID()}.json`,
        [backtestTrade('recorded_costs', 5, 21)],
        5,
        START + 21 * DAY,
        gateSettings,
      );
      lines.length = 0;
      const run = await runReadiness(
        { ...base, thresholds: LOOSE, strategies: ['recorded_costs'], backtestFile },
        deps(),
      );
      return { lifecycle: run.judged[0]?.lifecycle, printed: [...lines] };
    };
    const free = await judgedOn({ takerFee: 0, makerFee: 0, slippageBps: 0, agents: 'none' });
    expect(free.lifecycle).toMatchObject({ state: 'live', reason: 'green_loosened' });
    expect(free.printed).toContain(
      'backtest config looser than the defaults: takerFee 0 (default 0.001), makerFee 0 (default 0.001), slippageBps 0 (default 5), agents none (default rules)',
    );
    const silent = await judgedOn(null);
    expect(silent.printed).toContain(
      'backtest config looser than the defaults: backtest file without its settings (costs, agents): run ballast backtest again',
    );
    const withHours = {
      ...DEFAULT_GATE_SETTINGS,
      hourStats: [{ strategy: 'recorded_costs', hourUtc: 3, trades: 40, expectancy: -1 }],
    };
    await expect(judgedOn(withHours)).rejects.toThrow(
      /--backtest .*recorded-costs-.*\.json: hourStats refused for the go-live gate/,
    );
  });

  it('does not count a --data backtest whose candles end before now: it records their own bounds', async () => {
    // The recorded BTCUSDT candles end on 2022-10-11; the paper period runs to 2022-11-01.
    const late = new VirtualClock(Date.UTC(2022, 10, 1));
    const paperStart = Date.UTC(2022, 9, 1, 12);
    for (let i = 0; i < 3; i++)
      await closeTrade(handle.db, 'bollinger_breakout', 'binance', `bb-${i}`, 5, paperStart + i * DAY);
    lines.length = 0;
    const {
      judged: [r],
    } = await runReadiness(
      {
        ...base,
        strategies: ['bollinger_breakout'],
        data: { files: [BTC], timeframe: '1h', seed: 1, exchangeInfoFile: EXCHANGE_INFO },
      },
      { ...deps(), clock: late },
    );
    expect(r!.report.criteria.find((c) => c.criterion === 'backtest')).toMatchObject({
      ok: false,
      value: null,
      note: 'no backtest over the period',
    });
    expect(lines).toContain(
      'bollinger_breakout: the backtest spans 2022-10-01..2022-10-11, not the paper period 2022-10-01..2022-11-01; not counted',
    );
    const stored = await new BotStateRepository(handle.db, late).get(
      readinessKeys.backtest('bollinger_breakout'),
      StoredBacktest,
    );
    expect(stored?.value).toMatchObject({ from: paperStart, to: Date.UTC(2022, 9, 11, 11) });
  }, 120_000);

  it("judges drawdown on the account's own equity, as risk stored it, when no --equity is given", async () => {
    for (const [i, pnl] of [10, -100, -60, -50].entries())
      await closeTrade(handle.db, 'small_account', 'kraken', `small-${i}`, pnl, START + (10 + i) * DAY);
    // Risk's equity for the kraken account after those trades: 1,000 less the 200 they lost.
    await new BotStateRepository(handle.db, clock).set(equityBaselineKey('kraken'), {
      equity: 800,
      peakEquity: 1_010,
      day: START + 13 * DAY,
      dayStartEquity: 850,
      dailyLossHalt: null,
      drawdownHalt: null,
    });
    const { initialEquity: _, ...noEquity } = base;
    const {
      judged: [r],
    } = await runReadiness({ ...noEquity, strategies: ['small_account'] }, deps());
    const drawdown = r!.report.criteria.find((c) => c.criterion === 'max_drawdown');
    expect(drawdown).toMatchObject({ ok: false, note: "on equity 1000.00 (risk's kraken account)" });
    expect(drawdown!.value).toBeCloseTo((210 / 1_010) * 100, 10);
  });

  it('judges each strategy on its own: one without known equity is printed as not judged, the others are', async () => {
    // Its bitstamp account has risk's equity; okx, where it traded only before its paper start, has none.
    await closeTrade(handle.db, 'moved_account', 'okx', 'moved-0', 5, START + DAY);
    await new BotStateRepository(handle.db, clock).set(equityBaselineKey('bitstamp'), {
      equity: 2_000,
      peakEquity: 2_000,
      day: START + 10 * DAY,
      dayStartEquity: 2_000,
      dailyLossHalt: null,
      drawdownHalt: null,
    });
    await new BotStateRepository(handle.db, clock).set(readinessKeys.paperStart('moved_account'), {
      at: START + 9 * DAY,
    });
    await closeTrade(handle.db, 'moved_account', 'bitstamp', 'moved-1', 10, START + 10 * DAY);
    await closeTrade(handle.db, 'unknown_account', 'okx', 'unknown-0', -200, START + 10 * DAY);
    const { initialEquity: _, ...noEquity } = base;
    lines.length = 0;
    const run = await runReadiness({ ...noEquity, strategies: ['unknown_account', 'moved_account'] }, deps());
    const error =
      "unknown_account: no account equity to measure returns and drawdown on: risk has stored none for the venues it traded on; give --equity <the paper account's starting equity>";
    expect(run.failed).toEqual([{ strategy: 'unknown_account', error }]);
    expect(lines).toContain(`unknown_account: not judged: ${error}`);
    expect(run.judged.map((r) => r.strategy)).toEqual(['moved_account']);
    expect(readinessExitCode(run)).toBe(1);
    expect(readinessExitCode({ ...run, failed: [] })).toBe(run.judged[0]!.report.ok ? 0 : 2);
    expect(run.judged[0]!.report.criteria.find((c) => c.criterion === 'max_drawdown')).toMatchObject({
      note: "on equity 1990.00 (risk's bitstamp account)",
    });
    expect(
      await new BotStateRepository(handle.db, clock).get(
        readinessKeys.lifecycle('unknown_account'),
        StoredLifecycle,
      ),
    ).toBeUndefined();
  });

  it('exits 1 when it judged no strategy: no closed trade and none named is no green light', async () => {
    const empty = await createTestDatabase('cli_readiness_empty');
    const emptyHandle = await createDb({ url: empty.url, poolSize: 1 });
    try {
      await migrate(emptyHandle.db);
      lines.length = 0;
      const run = await runReadiness(base, { ...deps(), db: emptyHandle.db });
      expect(lines).toContain('no strategy has a closed trade; name one with --strategy');
      expect(readinessExitCode(run)).toBe(1);
    } finally {
      await emptyHandle.db.destroy();
      await empty.drop();
    }
  });

  it('refuses an override naming several strategies, recording nothing', async () => {
    await expect(
      runReadiness(
        {
          ...base,
          strategies: ['grid', 'scalper'],
          override: { reason: 'batch', by: 'ana' },
        },
        deps(),
      ),
    ).rejects.toThrow('--override needs exactly one --strategy, got grid, scalper');
    const overrides = new LiveOverrideRepository(handle.db);
    expect(await overrides.latest('grid')).toBeUndefined();
    expect(await overrides.latest('scalper')).toBeUndefined();
  });

  it('restarts the paper period on a demotion: the next run judges only what came after, and keeps it in shadow', async () => {
    const trades = new ClosedTradeRepository(handle.db);
    const trade = (tradeKey: string, pnl: number, closeTime: number) =>
      trades.record({ tradeKey, strategy: 'swing', exchange: 'binance', symbol: 'BTC-USDT', pnl, closeTime });
    const paperStart = clock.now() - 5 * DAY;
    for (let i = 0; i < 3; i++) await trade(`sw-paper-${i}`, 2_000, paperStart + i * DAY);
    const thresholds = LOOSE;
    // The backtest spans the paper period, from its start.
    const run = async (from = paperStart) => {
      const backtestFile = writeBacktest('swing.json', [backtestTrade('swing', 5, 21)], 5, from);
      return (await runReadiness({ ...base, thresholds, strategies: ['swing'], backtestFile }, deps()))
        .judged[0]!;
    };
    expect((await run()).lifecycle).toMatchObject({
      from: 'shadow',
      state: 'live',
      reason: 'green_loosened',
    });

    // 16% of the 10,000 lost live; over the whole paper period (peak 16,000) it is 10%, and still profitable.
    await trade('sw-live-0', -1_600, clock.now() + HOUR);
    clock.advance(2 * HOUR);
    const demoted = await run();
    expect(demoted.lifecycle).toMatchObject({ from: 'live', state: 'shadow', reason: 'live_drawdown' });
    const state = new BotStateRepository(handle.db, clock);
    expect((await state.get(readinessKeys.paperStart('swing'), PaperStart))?.value).toEqual({
      at: clock.now(),
    });

    const restartedAt = clock.now();
    clock.advance(HOUR);
    const again = await run(restartedAt);
    expect(again.lifecycle).toMatchObject({ from: 'shadow', state: 'shadow', reason: 'criteria_red' });
    expect(again.report.criteria.find((c) => c.criterion === 'closed_trades')?.value).toBe(0);
  });

  it('demotes a live strategy whose position entered since and still open has lost 16 % at its last close', async () => {
    const trades = new ClosedTradeRepository(handle.db);
    const paperStart = clock.now() - 5 * DAY;
    for (let i = 0; i < 3; i++)
      await trades.record({
        tradeKey: `hd-paper-${i}`,
        strategy: 'holder',
        exchange: 'binance',
        symbol: 'ETH-USDT',
        pnl: 2_000,
        closeTime: paperStart + i * DAY,
      });
    const run = async () => {
      const backtestFile = writeBacktest('holder.json', [backtestTrade('holder', 5, 21)], 5, paperStart);
      const options = { ...base, thresholds: LOOSE, strategies: ['holder'], backtestFile };
      return (await runReadiness(options, deps())).judged[0]!;
    };
    expect((await run()).lifecycle).toMatchObject({ from: 'shadow', state: 'live' });

    // 10 ETH bought live at 1,000 and still held; the last close, 840, leaves it 1,600 under water.
    const slices = new OrderSliceRepository(handle.db, clock);
    const enteredAt = clock.now() + HOUR;
    await slices.plan([
      {
        clientOrderId: 'hd-open-0',
        intentId: 'hd-open',
        slice: 0,
        strategy: 'holder',
        correlationId: null,
        exchange: 'binance',
        symbol: 'ETH-USDT',
        side: 'buy',
        type: 'market',
        qty: 10,
        price: null,
        reduceOnly: false,
        dueAt: enteredAt,
      },
    ]);
    const fill = { tradeId: 'hd-t0', price: 1_000, qty: 10, fee: 0, feeAsset: 'USDT', liquidity: 'taker' };
    await slices.update('hd-open-0', {
      status: 'filled',
      filledQty: 10,
      avgPrice: 1_000,
      fills: [{ ...fill, liquidity: 'taker' as const, time: enteredAt }],
    });
    clock.advance(3 * HOUR);
    await new CandleRepository(handle.db).upsertMany([
      {
        exchange: 'binance',
        symbol: 'ETH-USDT',
        timeframe: '1h',
        openTime: clock.now() - 2 * HOUR,
        closeTime: clock.now() - HOUR - 1,
        open: 900,
        high: 910,
        low: 830,
        close: 840,
        volume: 5,
      },
    ]);
    expect((await run()).lifecycle).toMatchObject({ from: 'live', state: 'shadow', reason: 'live_drawdown' });
  });

  it('demotes a strategy live by override once the override expired and the gate is still red', async () => {
    await new ClosedTradeRepository(handle.db).record({
      tradeKey: 'ov-0',
      strategy: 'overridden',
      exchange: 'binance',
      symbol: 'BTC-USDT',
      pnl: 1,
      closeTime: clock.now() - DAY,
    });
    const run = async (override?: { reason: string; by: string }) =>
      (await runReadiness({ ...base, strategies: ['overridden'], ...(override ? { override } : {}) }, deps()))
        .judged[0]!;
    const start = clock.now();
    expect((await run({ reason: 'trial', by: 'ana' })).lifecycle).toMatchObject({
      state: 'live',
      reason: 'override',
    });
    clock.advance(30 * DAY - 1);
    expect((await run()).lifecycle).toMatchObject({ from: 'live', state: 'live', reason: 'live_healthy' });
    expect((await lifecycleOf('overridden'))?.overrideExpiresAt).toBe(start + 30 * DAY);
    clock.advance(DAY + 1);
    expect((await run()).lifecycle).toMatchObject({
      from: 'live',
      state: 'shadow',
      reason: 'override_expired',
      detail: `the override expired ${new Date(start + 30 * DAY).toISOString()} and the gate is not all green`,
    });
  });

  it("measures live drawdown from the account's equity recorded at promotion, whatever other strategies lost since", async () => {
    const equity = (value: number) =>
      new BotStateRepository(handle.db, clock).set(equityBaselineKey('gemini'), {
        equity: value,
        peakEquity: 5_000,
        day: clock.now(),
        dayStartEquity: value,
        dailyLossHalt: null,
        drawdownHalt: null,
      });
    const start = clock.now() - 3 * DAY;
    for (const [i, pnl] of [4, -1, 6].entries())
      await closeTrade(handle.db, 'steady', 'gemini', `steady-${i}`, pnl, start + i * DAY);
    await equity(5_000);
    await new StopCoverageRepository(handle.db).record({
      source: 'stops',
      sampledAt: start + HOUR,
      openPositions: 1,
      protectedPositions: 1,
    });
    const backtestFile = writeBacktest('steady.json', [backtestTrade('steady', 5, 0)], 5, start);
    const { initialEquity: _, ...noEquity } = base;
    const run = async () =>
      (await runReadiness({ ...noEquity, thresholds: LOOSE, strategies: ['steady'], backtestFile }, deps()))
        .judged[0]!;
    expect((await run()).lifecycle).toMatchObject({ from: 'shadow', state: 'live' });
    expect((await lifecycleOf('steady'))?.equityAtLive).toEqual({ gemini: 5_000 });
    // It loses 600 (12 % of 5,000); other strategies lose 1,400 on the same account.
    clock.advance(HOUR);
    await closeTrade(handle.db, 'steady', 'gemini', 'steady-live', -600, clock.now());
    await equity(3_000);
    clock.advance(HOUR);
    expect((await run()).lifecycle).toMatchObject({ from: 'live', state: 'live', reason: 'live_healthy' });
    expect((await lifecycleOf('steady'))?.equityAtLive).toEqual({ gemini: 5_000 });
  });
  /** trend_pullback judged with a `--data` backtest of BTC under this `--config`: its backtest criterion. */
  const dataBacktestCriterion = async (config: BacktestConfigInput) => {
    const {
      judged: [r],
    } = await runReadiness(
      {
        ...base,
        strategies: ['trend_pullback'],
        data: { files: [BTC], timeframe: '1h', seed: 1, exchangeInfoFile: EXCHANGE_INFO, config },
      },
      deps(),
    );
    return r!.report.criteria.find((c) => c.criterion === 'backtest');
  };

  // Last in this block with the next: a red backtest may demote trend_pullback, which no later test then reads.
  it("backtests --data with --config's signals settings, as live runs them: an excluded symbol trades nothing", async () => {
    const backtest = await dataBacktestCriterion({ excludedSymbols: ['BTC-USDT'], takerFee: 0 });
    expect(backtest).toMatchObject({ ok: false, note: '0 trades, max drawdown 0.00%' });
    // A cheaper run than live loosens the gate, said so; the config is stored with the backtest it earned.
    expect(lines).toContain('backtest config looser than the defaults: takerFee 0 (default 0.001)');
    const stored = await new BotStateRepository(handle.db, clock).get(
      readinessKeys.backtest('trend_pullback'),
      StoredBacktest,
    );
    expect(stored?.value.config).toEqual({ excludedSymbols: ['BTC-USDT'], takerFee: 0 });
  }, 120_000);

  it("replays paper's recorded verdicts with --config agents recorded: what the reviewer rejected trades nothing", async () => {
    // What the signals service kept for trend_pullback's BTC candidates since the paper period began,
    // had the reviewer model said no to every one.
    const decided: SignalDecision[] = [];
    await runBacktest({
      files: [BTC],
      timeframe: '1h',
      from: START,
      to: clock.now(),
      strategy: 'trend_pullback',
      seed: 1,
      config: { initialEquity: 10_000, exchangeInfoFile: EXCHANGE_INFO },
      onSignalDecision: (d) => void decided.push(d),
    });
    expect(decided.filter((d) => d.approved).length).toBeGreaterThan(0);
    const repo = new SignalDecisionRepository(handle.db);
    for (const d of decided)
      await repo.keepFirst(d.candidate.id, { ...d, approved: false, sizeMultiplier: 0 }, clock.now());
    lines.length = 0;
    const backtest = await dataBacktestCriterion({ agents: 'recorded' });
    expect(backtest).toMatchObject({ ok: false, note: '0 trades, max drawdown 0.00%' });
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^trend_pullback: recorded verdicts: [1-9]\d* of [1-9]\d* candidates replayed \(0 approved\)/,
      ),
    );
    // Live's own reviewers' verdicts: not a loosened gate.
    expect(lines.filter((l) => l.includes('looser'))).toEqual([]);
  }, 180_000);

  it("refuses --config hourStats for the gate's backtest: the deployment's table knows the paper trades' outcomes", async () => {
    const hourStats = [{ strategy: 'trend_pullback', hourUtc: 8, trades: 30, expectancy: -1 }];
    const options = (config: object): ReadinessRunOptions => ({
      ...base,
      strategies: ['trend_pullback'],
      data: { files: [BTC], timeframe: '1h', seed: 1, config },
    });
    await expect(runReadiness(options({ hourStats, minHourTrades: 1 }), deps())).rejects.toThrow(
      '--config: hourStats, minHourTrades refused for the go-live gate',
    );
    await expect(runReadiness(options({ minHourTrades: 1 }), deps())).rejects.toThrow(
      '--config: minHourTrades refused for the go-live gate',
    );
  });
});

describe('readiness --config', () => {
  const dir = mkdtempSync(join(tmpdir(), 'readiness-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const flags = (more: Partial<ReadinessFlags>): ReadinessFlags => ({
    timeframe: '1h',
    seed: '1',
    overrideDays: '30',
    pgliteDir: dir,
    uptimeSampleMs: '60000',
    ...more,
  });
  const file = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };

  it('applies to --data only: with a --backtest result it would only look applied', () => {
    const config = file('ok.json', '{"excludedSymbols":["BTC-USDT"]}');
    expect(() => optionsFrom(flags({ backtest: 'out.json', config }))).toThrow(
      '--config applies to --data backtests only',
    );
    expect(optionsFrom(flags({ data: BTC, config })).data?.config).toEqual({ excludedSymbols: ['BTC-USDT'] });
  });

  it('names the file when it is not JSON, and refuses a bad field or hourStats before anything is judged', () => {
    const bad = file('bad.json', '{"excludedSymbols":');
    expect(() => optionsFrom(flags({ data: BTC, config: bad }))).toThrow(`--config ${bad}: not valid JSON (`);
    const typo = file('typo.json', '{"confirmTimeframe":["4h"]}');
    expect(() => optionsFrom(flags({ data: BTC, config: typo }))).toThrow(
      `--config ${typo}: invalid backtest config: (root): Unrecognized key: "confirmTimeframe"`,
    );
    const hours = file('hours.json', '{"hourStats":[]}');
    expect(() => optionsFrom(flags({ data: BTC, config: hours }))).toThrow(
      `--config ${hours}: hourStats refused for the go-live gate`,
    );
  });

  it('lists the settings cheaper or less reviewed than the defaults, which promote as green_loosened', () => {
    expect(looserBacktestConfig({ excludedSymbols: ['BTC-USDT'], takerFee: 0.002 })).toEqual([]);
    expect(looserBacktestConfig({ makerFee: 0, slippageBps: 1, agents: 'none' })).toEqual([
      'makerFee 0 (default 0.001)',
      'slippageBps 1 (default 5)',
      'agents none (default rules)',
    ]);
    expect(looserBacktestConfig({ agents: 'recorded' })).toEqual([]);
  });
});

describe('--uptime-sample-ms default', () => {
  it("takes the shell's UPTIME_SAMPLE_MS, reading 0 or empty (a service that does not sample) as unset", () => {
    expect(uptimeSampleMsDefault('30000')).toBe('30000');
    expect(uptimeSampleMsDefault('0')).toBe('60000');
    expect(uptimeSampleMsDefault(' ')).toBe('60000');
    expect(uptimeSampleMsDefault(undefined)).toBe('60000');
    // Anything else is the flag's to refuse, naming it.
    expect(uptimeSampleMsDefault('soon')).toBe('soon');
  });
});

describe('readiness flags', () => {
  const flags = (more: Partial<ReadinessFlags>): ReadinessFlags => ({
    timeframe: '1h',
    seed: '1',
    overrideDays: '30',
    pgliteDir: 'unused',
    uptimeSampleMs: '60000',
    ...more,
  });

  it('refuses a --seed that is not a whole number, naming it (parseInt ran 1.5 as seed 1, abc as NaN)', () => {
    expect(optionsFrom(flags({ data: BTC, seed: '7' })).data?.seed).toBe(7);
    expect(() => optionsFrom(flags({ data: BTC, seed: '1.5' }))).toThrow('--seed: a whole number, got 1.5');
    expect(() => optionsFrom(flags({ data: BTC, seed: 'abc' }))).toThrow('--seed: a whole number, got abc');
  });

  it('refuses an override term that is no term: Infinity, or past a year', () => {
    expect(optionsFrom(flags({ overrideDays: '365' })).overrideTtlMs).toBe(365 * 86_400_000);
    for (const days of ['Infinity', '366', '1e9'])
      expect(() => optionsFrom(flags({ overrideDays: days }))).toThrow(
        `--override-days: a number of days above 0 and at most 365, got ${days}`,
      );
  });

  it('refuses an --equity that is not a finite positive number', () => {
    expect(() => optionsFrom(flags({ equity: 'Infinity' }))).toThrow(
      '--equity: a positive number, got Infinity',
    );
  });

  it('refuses a --thresholds file with a key it does not know, a bad value, or no JSON, naming the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'readiness-thresholds-'));
    try {
      const file = (name: string, text: string) => {
        writeFileSync(join(dir, name), text);
        return join(dir, name);
      };
      const strict = file('strict.json', '{"maxDrawdownPct":10}');
      expect(optionsFrom(flags({ thresholds: strict })).thresholds.maxDrawdownPct).toBe(10);
      // A typo was dropped silently: the default 15 % judged a gate meant to be held at 10 %.
      const typo = file('typo.json', '{"maxDrawdown":10}');
      expect(() => optionsFrom(flags({ thresholds: typo }))).toThrow(
        `--thresholds ${typo}: invalid thresholds: (root): Unrecognized key: "maxDrawdown"`,
      );
      const bad = file('bad.json', '{"minUptimePct":101}');
      expect(() => optionsFrom(flags({ thresholds: bad }))).toThrow(
        `--thresholds ${bad}: invalid thresholds: minUptimePct:`,
      );
      const broken = file('broken.json', '{"minSharpe":');
      expect(() => optionsFrom(flags({ thresholds: broken }))).toThrow(
        `--thresholds ${broken}: not valid JSON (`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses an empty name in --strategy rather than judging a strategy called ""', () => {
    expect(() => optionsFrom(flags({ strategy: 'trend_pullback,' }))).toThrow(
      '--strategy: an empty name in trend_pullback,',
    );
  });
});
