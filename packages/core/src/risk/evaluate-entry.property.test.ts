import type { MarketRegime, PositionSide } from '@ballast/contracts';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { utcDayStart } from '../time';
import { isNoBook } from './entry-book';
import { type EntryApproval, type EntryCandidate, evaluateEntry } from './evaluate-entry';
import type { ExitCosts } from './loss-at-stop';
import { isMultipleOfStep } from './precision';
import { alignedCloses, binanceSpotRules, bookAt, btcusdtBook } from './real-market.fixture';
import { DEFAULT_RISK_LIMITS, RiskLimits } from './risk-limits';
import {
  applyClosedTrade,
  applyEntryFill,
  applyEquityMark,
  applyExitFill,
  applyStopMove,
  engageKillSwitch,
  releaseKillSwitch,
  resumeFromDrawdown,
  setMarketStale,
  setVenueReconciled,
} from './risk-reducers';
import { initialRiskState, type OpenPosition, type RiskState } from './risk-state';
import type { Denial } from './verdict';

// Prices: real Binance spot 4h closes (binance-spot-ohlcv/<SYMBOL>-4h.csv) at the times all seven traded.
// Filters: binance-rest/2021-10-12_spot_api-v3-exchangeInfo.json.gz. Book shape: the real BTCUSDT depth
// snapshot binance-spot-ws/2021-04-04_rest_depth_BTCUSDT_limit1000.json, moved to each price and scaled.
const SYMBOLS = ['BTCUSDT', 'ETHUSDT', 'BNBUSDT', 'SOLUSDT', 'XRPUSDT', 'ADAUSDT', 'DOGEUSDT'] as const;
const RULES = binanceSpotRules(SYMBOLS);
const SERIES = alignedCloses(SYMBOLS);
const REAL_BOOK = btcusdtBook();
const BAR_MS = 4 * 3_600_000;
const RUNS = 500;
const TOLERANCE = 1e-9;
const EXCHANGE = 'binance';
const symbolId = (s: string) => `${s.slice(0, -4)}-USDT`;
/** Strategies signalling the same markets: one market holds one strategy's position (market_held). */
const STRATEGIES = ['trend', 'trend', 'breakout'] as const;

type Action =
  | {
      kind: 'signal';
      strategy: string;
      symbol: number;
      side: PositionSide;
      stopFraction: number;
      rewardMultiples: number[];
      regime: MarketRegime;
      volatilityScale: number;
      sizeMultiplier: number;
      depthScale: number;
      costs: ExitCosts;
    }
  | { kind: 'advance'; bars: number }
  | { kind: 'close'; which: number }
  | { kind: 'trail'; which: number; fraction: number }
  | { kind: 'kill' | 'release' | 'resume' }
  | { kind: 'stale' | 'unreconciled'; symbol: number; on: boolean };

const action: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 12,
    arbitrary: fc.record({
      kind: fc.constant('signal' as const),
      strategy: fc.constantFrom(...STRATEGIES),
      symbol: fc.integer({ min: 0, max: SYMBOLS.length - 1 }),
      side: fc.constantFrom<PositionSide>('long', 'short'),
      stopFraction: fc.double({ min: 0.001, max: 0.15, noNaN: true }),
      rewardMultiples: fc.array(fc.double({ min: 1, max: 6, noNaN: true }), { minLength: 1, maxLength: 3 }),
      regime: fc.constantFrom<MarketRegime>('trending', 'choppy', 'volatile'),
      volatilityScale: fc.constantFrom(1, 1, 1, 0.75, 0.5, 0.25, 0),
      sizeMultiplier: fc.oneof(fc.constant(1), fc.double({ min: 0, max: 1, noNaN: true })),
      /** Log-uniform from 1/100,000 to 10 times the real book, so the liquidity cap binds in some runs. */
      depthScale: fc.double({ min: -5, max: 1, noNaN: true }).map((e) => 10 ** e),
      /** Taker fees from none to Binance's highest spot tier (0.1 %) and beyond; the stops' offsets up to 2 %. */
      costs: fc.record({
        takerFeeBps: fc.oneof(fc.constant(10), fc.double({ min: 0, max: 20, noNaN: true })),
        stopLimitOffsetBps: fc.oneof(fc.constant(50), fc.double({ min: 0, max: 200, noNaN: true })),
      }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant('advance' as const), bars: fc.integer({ min: 1, max: 12 }) }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('close' as const), which: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('trail' as const),
      which: fc.nat(),
      fraction: fc.double({ min: 0, max: 1, noNaN: true }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constantFrom(
        'kill' as const,
        'release' as const,
        'release' as const,
        'release' as const,
        'resume' as const,
      ),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constantFrom('stale' as const, 'unreconciled' as const),
      symbol: fc.integer({ min: 0, max: SYMBOLS.length - 1 }),
      /** Mostly clearing, so a flagged market or venue does not stay closed for the whole run. */
      on: fc.constantFrom(true, false, false, false),
    }),
  },
);

const scenario = fc.record({
  startBar: fc.integer({ min: 0, max: SERIES.times.length - 800 }),
  equity: fc.double({ min: 3.3, max: 6.3, noNaN: true }).map((e) => 10 ** e),
  /** Runs may start mid-drawdown or after a losing morning, so the halts are reached too. */
  peakAbove: fc.oneof(fc.constant(0), fc.constant(0), fc.double({ min: 0, max: 0.2, noNaN: true })),
  dayStartAbove: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 0.06, noNaN: true })),
  actions: fc.array(action, { minLength: 20, maxLength: 80 }),
});
type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

type Decision = { state: RiskState; candidate: EntryCandidate; now: number; result: EntryApproval | Denial };

/** Plays a scenario through the reducers: equity = cash + unrealised PnL at the real closes. */
function simulate(
  s: Scenario,
  limits: RiskLimits,
  onDecision: (d: Decision) => void,
): Array<EntryApproval | Denial> {
  let bar = s.startBar;
  const now = () => SERIES.times[bar]! + BAR_MS;
  const price = (symbol: string) => SERIES.closes[`${symbol.replace('-', '')}`]![bar]!;
  let cash = s.equity;
  let state: RiskState = {
    ...initialRiskState(s.equity, now()),
    peakEquity: s.equity * (1 + s.peakAbove),
    dayStartEquity: s.equity * (1 + s.dayStartAbove),
  };
  const pnl = (p: OpenPosition, at: number) => p.qty * (p.side === 'long' ? at - p.entry : p.entry - at);
  const mark = () => {
    const equity = cash + state.positions.reduce((sum, p) => sum + pnl(p, price(p.symbol)), 0);
    state = applyEquityMark(state, { equity, time: now() }, limits);
  };
  const exit = (p: OpenPosition) => {
    const realised = pnl(p, price(p.symbol));
    cash += realised;
    state = applyExitFill(state, { positionId: p.positionId, qty: p.qty });
    state = applyClosedTrade(state, { pnl: realised, fees: 0, closeTime: now() });
  };
  const log: Array<EntryApproval | Denial> = [];

  for (const a of s.actions) {
    if (a.kind === 'signal') {
      const name = SYMBOLS[a.symbol]!;
      const entry = SERIES.closes[name]![bar]!;
      const long = a.side === 'long';
      const distance = entry * a.stopFraction;
      const candidate: EntryCandidate = {
        strategy: a.strategy,
        exchange: EXCHANGE,
        symbol: symbolId(name),
        side: a.side,
        entry,
        stop: long ? entry - distance : entry + distance,
        takeProfits: a.rewardMultiples.map((m) =>
          long ? entry + m * distance : Math.max(entry * 1e-3, entry - m * distance),
        ),
        regime: a.regime,
        volatilityScale: a.volatilityScale,
        sizeMultiplier: a.sizeMultiplier,
        signalTime: now(),
        book: bookAt(REAL_BOOK, entry, a.depthScale),
        rules: RULES[name]!,
        costs: a.costs,
      };
      const result = evaluateEntry(state, candidate, limits, now());
      onDecision({ state, candidate, now: now(), result });
      log.push(result);
      if (result.ok) {
        state = applyEntryFill(state, {
          positionId: `${EXCHANGE}:${candidate.symbol}:${a.side}`,
          exchange: EXCHANGE,
          symbol: candidate.symbol,
          side: a.side,
          qty: result.qty,
          price: result.entry,
          stop: result.stop,
          strategy: a.strategy,
        });
        mark();
      }
    } else if (a.kind === 'advance') {
      for (let i = 0; i < a.bars; i++) {
        bar += 1;
        for (const p of state.positions) {
          const at = price(p.symbol);
          if (p.side === 'long' ? at <= p.stop : at >= p.stop) exit(p);
        }
        mark();
      }
    } else if (a.kind === 'close' || a.kind === 'trail') {
      const p = state.positions[a.which % Math.max(1, state.positions.length)];
      if (!p) continue;
      if (a.kind === 'close') exit(p);
      else
        state = applyStopMove(state, {
          positionId: p.positionId,
          stop: p.stop + (price(p.symbol) - p.stop) * a.fraction * 0.9,
        });
      mark();
    } else if (a.kind === 'kill') state = engageKillSwitch(state, { reason: 'property test', at: now() });
    else if (a.kind === 'release') state = releaseKillSwitch(state);
    else if (a.kind === 'resume') state = resumeFromDrawdown(state);
    else if (a.kind === 'stale')
      state = setMarketStale(state, `${EXCHANGE}:${symbolId(SYMBOLS[a.symbol]!)}`, a.on);
    else if (a.kind === 'unreconciled') state = setVenueReconciled(state, EXCHANGE, !a.on);
  }
  return log;
}

// Independent restatements of the limits, computed here from the plain state and not through the rules.
const within = (value: number, limit: number) => value <= limit * (1 + TOLERANCE) + 1e-12;
const notional = (p: OpenPosition) => p.qty * p.entry;
const riskOf = (p: OpenPosition) =>
  p.qty * Math.max(0, p.side === 'long' ? p.entry - p.stop : p.stop - p.entry);

function pauseEnd(state: RiskState, limits: RiskLimits): number {
  const { losses, lastLossTime } = state.lossStreak;
  const steps = limits.lossStreakPauses
    .filter((step) => step.losses <= losses)
    .sort((a, b) => b.losses - a.losses);
  const pause = steps[0]?.pauseMs;
  return lastLossTime === null || pause === undefined ? Number.NEGATIVE_INFINITY : lastLossTime + pause;
}

function depthInBand(c: EntryCandidate, bandBps: number): number {
  if (isNoBook(c.book)) return 0;
  const levels = c.side === 'long' ? c.book.asks : c.book.bids;
  const touch = c.side === 'long' ? Math.min(...levels.map(([p]) => p)) : Math.max(...levels.map(([p]) => p));
  const inBand = ([p]: readonly [number, number]) =>
    Math.abs(p - touch) <= ((touch * bandBps) / 10_000) * (1 + 1e-12);
  return levels.filter(inBand).reduce((sum, [, q]) => sum + q, 0);
}

function assertApprovalWithinLimits(
  { state: s, candidate: c, now, result: a }: Decision & { result: EntryApproval },
  limits: RiskLimits,
) {
  expect(s.kill.engaged).toBe(false);
  expect(s.drawdownHalt).toBeNull();
  expect(s.peakEquity - s.equity).toBeLessThan(limits.maxDrawdown * s.peakEquity);
  if (utcDayStart(now) <= s.day) {
    expect(s.dailyLossHalt).toBeNull();
    expect(s.dayStartEquity - s.equity).toBeLessThan(limits.dailyLoss * s.dayStartEquity);
  }
  expect(now).toBeGreaterThanOrEqual(pauseEnd(s, limits));
  expect(s.staleMarkets).not.toContain(`${c.exchange}:${c.symbol}`);
  expect(s.unreconciledVenues).not.toContain(c.exchange);
  if (!limits.allowShort) expect(c.side).toBe('long');
  // Only the strategy holding the market (or none) adds to its position.
  const inMarket = s.positions.filter((p) => p.exchange === c.exchange && p.symbol === c.symbol);
  expect(inMarket.map((p) => p.strategy).filter((x) => x !== c.strategy)).toEqual([]);

  const long = c.side === 'long';
  const distance = long ? a.entry - a.stop : a.stop - a.entry;
  expect(distance).toBeGreaterThan(0);
  const nearestReward = Math.min(...c.takeProfits.map((tp) => (long ? tp - a.entry : a.entry - tp)));
  expect(nearestReward / distance).toBeGreaterThanOrEqual(limits.minRewardRisk * (1 - 1e-9));

  // The stop protecting an add is the held position's where that is farther (unknown: all of entry).
  const held = s.positions.filter(
    (p) => p.exchange === c.exchange && p.symbol === c.symbol && p.side === c.side,
  );
  const toHeldStop = held.map((p) => (p.stop <= 0 ? a.entry : long ? a.entry - p.stop : p.stop - a.entry));
  const risk = a.qty * Math.max(distance, ...toHeldStop);
  const scale = limits.regimeScale[c.regime] * c.volatilityScale * c.sizeMultiplier;
  expect(Math.abs(a.riskAmount - risk)).toBeLessThanOrEqual(risk * 1e-12);
  expect(within(risk, limits.riskPerTrade * s.equity)).toBe(true);
  expect(within(risk, limits.riskPerTrade * s.equity * scale)).toBe(true);
  // Stopped out at that stop's worst fill (its limit, on the tick away from the market) with the taker
  // fee paid on the entry and on the exit, the trade loses at most its scaled budget.
  const stopAt = long ? a.entry - risk / a.qty : a.entry + risk / a.qty;
  const offset = c.costs.stopLimitOffsetBps / 10_000;
  const tick = c.rules.tickSize;
  const fill = long
    ? Math.max(0, Math.floor((stopAt * (1 - offset)) / tick + 1e-9) * tick)
    : Math.ceil((stopAt * (1 + offset)) / tick - 1e-9) * tick;
  const fees = (c.costs.takerFeeBps / 10_000) * a.qty * (a.entry + fill);
  const lossAtWorstFill = a.qty * Math.abs(a.entry - fill) + fees;
  expect(within(lossAtWorstFill, limits.riskPerTrade * s.equity * scale)).toBe(true);

  const newNotional = a.qty * a.entry;
  const heldNotional = held.reduce((x, p) => x + notional(p), 0);
  expect(within(heldNotional + newNotional, limits.maxPositionNotional * s.equity)).toBe(true);
  const exposure = s.positions.reduce((x, p) => x + notional(p), 0) + newNotional;
  expect(within(exposure, limits.maxExposure * s.equity)).toBe(true);
  const openRisk = s.positions.reduce((x, p) => x + riskOf(p), 0) + risk;
  expect(within(openRisk, limits.maxOpenRisk * s.equity)).toBe(true);
  const sides = new Set(s.positions.map((p) => `${p.exchange}:${p.symbol}:${p.side}`));
  sides.add(`${c.exchange}:${c.symbol}:${c.side}`);
  expect(sides.size).toBeLessThanOrEqual(limits.maxOpenPositions);
  const depth = depthInBand(c, limits.liquidity.depthBandBps);
  expect(within(a.qty, limits.liquidity.maxDepthFraction * depth)).toBe(true);

  expect(isMultipleOfStep(a.qty, c.rules.stepSize)).toBe(true);
  expect(isMultipleOfStep(a.entry, c.rules.tickSize)).toBe(true);
  expect(isMultipleOfStep(a.stop, c.rules.tickSize)).toBe(true);
  expect(Math.abs(a.entry - c.entry)).toBeLessThanOrEqual(c.rules.tickSize / 2 + 1e-9);
  expect(a.qty).toBeGreaterThanOrEqual(c.rules.minQty);
  expect(newNotional).toBeGreaterThanOrEqual(c.rules.minNotional);
  // Sellable at its stop: the stop-limit (and a take-profit's share of it) is not refused by the venue.
  const exitPrice = c.side === 'long' ? a.stop * (1 - limits.stopExitAllowanceBps / 10_000) : a.entry;
  expect(a.qty * exitPrice).toBeGreaterThanOrEqual(c.rules.minNotional);
}

/** A denial must show its breach: the value it reports is over (or, for minimums, under) the limit. */
function assertDenialShowsBreach(d: Denial) {
  switch (d.reason) {
    case 'kill_switch':
    case 'stale_data':
    case 'unreconciled':
      expect([d.limit, d.value]).toEqual([0, 1]);
      break;
    case 'daily_loss':
    case 'max_drawdown':
      expect(d.value).toBeGreaterThanOrEqual(d.limit);
      break;
    case 'loss_streak':
    case 'reward_risk':
    case 'min_notional':
      expect(d.value).toBeLessThan(d.limit);
      break;
    case 'liquidity':
      expect(d.limit).toBeLessThan(d.value);
      break;
    case 'invalid_intent':
      expect(d.detail).not.toBe('');
      break;
    case 'market_held':
      expect(d.limit).toBe(0);
      expect(d.value).toBeGreaterThanOrEqual(1);
      break;
    default:
      expect(d.value).toBeGreaterThan(d.limit);
  }
}

/** Any valid configuration, not just the defaults: tight counts and open-risk caps get exercised too. */
const anyLimits: fc.Arbitrary<RiskLimits> = fc
  .record({
    riskPerTrade: fc.double({ min: 0.002, max: 0.03, noNaN: true }),
    maxPositionNotional: fc.double({ min: 0.05, max: 0.6, noNaN: true }),
    maxExposure: fc.double({ min: 0.2, max: 1.5, noNaN: true }),
    maxOpenRisk: fc.double({ min: 0.005, max: 0.08, noNaN: true }),
    maxOpenPositions: fc.integer({ min: 1, max: 6 }),
    minRewardRisk: fc.double({ min: 1, max: 3, noNaN: true }),
    liquidity: fc.record({
      maxDepthFraction: fc.double({ min: 0.01, max: 0.5, noNaN: true }),
      depthBandBps: fc.double({ min: 5, max: 200, noNaN: true }),
    }),
    regimeScale: fc.record({
      trending: fc.double({ min: 0.5, max: 1, noNaN: true }),
      choppy: fc.double({ min: 0, max: 1, noNaN: true }),
      volatile: fc.double({ min: 0, max: 1, noNaN: true }),
    }),
    dailyLoss: fc.double({ min: 0.01, max: 0.1, noNaN: true }),
    maxDrawdown: fc.double({ min: 0.05, max: 0.3, noNaN: true }),
    allowShort: fc.boolean(),
  })
  .map((l) => RiskLimits.parse(l));

describe('evaluateEntry over real price paths (property)', () => {
  let approvals = 0;
  const reasons = new Set<string>();
  const observe = (d: Decision, limits: RiskLimits) => {
    if (d.result.ok) {
      approvals += 1;
      assertApprovalWithinLimits({ ...d, result: d.result }, limits);
    } else reasons.add(d.result.reason);
  };

  it(`never approves an order that breaks a default limit (${RUNS} scenarios)`, () => {
    fc.assert(
      fc.property(scenario, (s) => {
        simulate(s, DEFAULT_RISK_LIMITS, (d) => observe(d, DEFAULT_RISK_LIMITS));
      }),
      { numRuns: RUNS },
    );
  }, 120_000);

  it(`never approves an order that breaks any configured limit (${RUNS} scenarios)`, () => {
    fc.assert(
      fc.property(scenario, anyLimits, (s, limits) => {
        simulate(s, limits, (d) => observe(d, limits));
      }),
      { numRuns: RUNS },
    );
    // The properties only mean something if the runs approve often and deny for every reason.
    expect(approvals).toBeGreaterThan(2 * RUNS);
    expect([...reasons].sort()).toEqual(
      expect.arrayContaining([
        'daily_loss',
        'kill_switch',
        'liquidity',
        'loss_streak',
        'market_held',
        'max_drawdown',
        'max_exposure',
        'max_open_positions',
        'max_open_risk',
        'max_position',
        'min_notional',
        'reward_risk',
        'stale_data',
        'unreconciled',
      ]),
    );
  }, 120_000);

  it(`reports every denial with numbers that show the breach (${RUNS} scenarios)`, () => {
    fc.assert(
      fc.property(scenario, anyLimits, (s, limits) => {
        simulate(s, limits, (d) => {
          if (!d.result.ok) assertDenialShowsBreach(d.result);
        });
      }),
      { numRuns: RUNS },
    );
  }, 120_000);

  it(`decides the same scenario the same way every time (${RUNS} scenarios)`, () => {
    fc.assert(
      fc.property(scenario, (s) => {
        expect(simulate(s, DEFAULT_RISK_LIMITS, () => {})).toEqual(
          simulate(s, DEFAULT_RISK_LIMITS, () => {}),
        );
      }),
      { numRuns: RUNS },
    );
  }, 120_000);
});
