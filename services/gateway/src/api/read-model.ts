import { gatherReadiness } from '@ballast/backtest';
import type { Bus } from '@ballast/bus';
import type { Clock } from '@ballast/contracts';
import {
  checkDailyLoss,
  checkDrawdown,
  DEFAULT_READINESS_THRESHOLDS,
  DEFAULT_RISK_LIMITS,
  dailyLossStanding,
  drawdownStanding,
  EquityBaseline,
  equityBaselineKey,
  evaluateReadiness,
  exposureStanding,
  LossStreakTracker,
  periodStart,
  type RiskLimits,
} from '@ballast/core';
import {
  AgentCallRepository,
  BotStateRepository,
  type ClosedTradeRecord,
  ClosedTradeRepository,
  type Database,
} from '@ballast/db';
import { type Kysely, sql } from 'kysely';
import type { LiveState } from '../live/live-state';
import { equityCurve, type Period, pnlByGroup, pnlByPeriod, unrealizedPnl } from '../live/pnl';
import { chartMarkers, type MarketChart, marketChart } from './market-chart';

export interface ReadModelDeps {
  db: Kysely<Database>;
  bus: Bus;
  clock: Clock;
  live: LiveState;
  initialEquity: number;
  limits?: RiskLimits;
  /** The limits in force now (operators may change them); `limits` when absent. */
  currentLimits?: () => Promise<RiskLimits>;
  healthUrls: Record<string, string>;
  fetch?: typeof fetch;
  /** The services' UPTIME_SAMPLE_MS, the interval uptime expects a sample per; default 60 s. */
  uptimeSampleMs?: number;
}

const HEALTH_TIMEOUT_MS = 1_500;

/** Risk's stored equity baseline per venue account (bot_state `risk-equity:<venue>`). */
type RiskAccounts = ReadonlyMap<string, EquityBaseline>;

/** Answers the dashboard's questions from the database (history) and the live bus picture (now). */
export class ReadModel {
  private readonly trades: ClosedTradeRepository;
  private readonly agentCalls: AgentCallRepository;
  readonly limits: RiskLimits;

  constructor(private readonly deps: ReadModelDeps) {
    this.trades = new ClosedTradeRepository(deps.db);
    this.agentCalls = new AgentCallRepository(deps.db);
    this.limits = deps.limits ?? DEFAULT_RISK_LIMITS;
  }

  closedTrades(): Promise<ClosedTradeRecord[]> {
    return this.trades.all();
  }

  positions() {
    const { live } = this.deps;
    return [...live.positions.values()].map((p) => {
      const mark = live.mark(p.exchange, p.symbol);
      const last = mark?.price ?? null;
      const stop = live.stops.get(p.positionId);
      const decision = live.decisions.values().find((d) => d.correlationId === p.correlationId);
      return {
        ...p,
        lastPrice: last,
        // When the mark was printed: a feed that stopped (or a restart's last candle) leaves an old one.
        lastPriceTime: mark?.time ?? null,
        unrealizedPnl: last === null ? null : unrealizedPnl(p, last),
        stopPrice: stop?.stopPrice ?? null,
        stopVerified: stop?.verified ?? false,
        takeProfits: decision?.candidate.takeProfits ?? [],
      };
    });
  }

  orders(openOnly: boolean) {
    const all = [...this.deps.live.orders.values()].sort((a, b) => b.updatedAt - a.updatedAt);
    return openOnly ? all.filter((o) => o.status === 'accepted' || o.status === 'partially_filled') : all;
  }

  async equity() {
    return this.equityWith(await this.closedTrades(), await this.riskAccounts());
  }

  /**
   * The gateway's curve (closed trades and marked positions from the configured equity), with today's
   * result and the drawdown as risk measures them on `accounts` (its stored baselines).
   */
  private equityWith(trades: readonly ClosedTradeRecord[], accounts: RiskAccounts) {
    const curve = equityCurve([...trades], this.deps.initialEquity);
    const realized = curve.at(-1)?.equity ?? this.deps.initialEquity;
    const unrealized = this.positions().reduce((s, p) => s + (p.unrealizedPnl ?? 0), 0);
    const todayPnl = this.dailyLoss(this.limits, trades, accounts).pnl;
    const peak = Math.max(this.deps.initialEquity, ...curve.map((c) => c.equity));
    const equity = realized + unrealized;
    const curveDrawdownPct = peak === 0 ? 0 : Math.max(0, ((peak - equity) / peak) * 100);
    return {
      initial: this.deps.initialEquity,
      equity,
      realized,
      unrealized,
      todayPnl,
      drawdownPct: this.drawdown(this.limits, curveDrawdownPct, accounts).pct,
      curve,
    };
  }

  async pnl(period: Period) {
    return pnlByPeriod(await this.closedTrades(), period);
  }

  /** Totals over every closed trade, per strategy and per symbol. */
  async pnlTotals() {
    const trades = await this.closedTrades();
    return { byStrategy: pnlByGroup(trades, 'strategy'), bySymbol: pnlByGroup(trades, 'symbol') };
  }

  /** One series (`exchange:symbol:timeframe`) charted with overlays, S/R and our markers. */
  market(series: string): MarketChart {
    const { live } = this.deps;
    const [exchange = '', symbol = '', timeframe = ''] = series.split(':');
    const markers = chartMarkers(exchange, symbol, {
      fills: live.fills.values(),
      positionSides: live.positionSides,
      stopEvents: live.stopMarks.values(),
    });
    return marketChart(
      series,
      live.candleSeries(exchange, symbol, timeframe),
      live.features.get(series),
      markers,
      [...live.stops.values()],
    );
  }

  async decisionDetail(id: string) {
    const { live } = this.deps;
    const decision = live.decisions.values().find((d) => d.id === id || d.correlationId === id);
    if (!decision) return undefined;
    const corr = decision.correlationId;
    return {
      decision,
      agentCalls: await this.agentCalls.byCorrelationId(corr),
      orders: [...live.orders.values()].filter((o) => o.correlationId === corr),
      fills: live.fills.values().filter((f) => f.correlationId === corr),
    };
  }

  llmAudit(sinceMs: number, limit: number) {
    return this.agentCalls.since(sinceMs, limit);
  }

  async risk() {
    const limits = this.deps.currentLimits ? await this.deps.currentLimits() : this.limits;
    const trades = await this.closedTrades();
    // Read once: every figure below is of the same stored baselines.
    const accounts = await this.riskAccounts();
    const eq = this.equityWith(trades, accounts);
    const positions = this.positions();
    const exposure = this.exposure(limits, positions, accounts, eq.equity);
    const streak = LossStreakTracker.fromHistory(trades);
    const pausedUntil = streak.pausedUntil(limits.lossStreakPauses);
    const now = this.deps.clock.now();
    const daily = this.dailyLoss(limits, trades, accounts);
    const drawdown = this.drawdown(limits, eq.drawdownPct, accounts);
    const halts: string[] = [];
    const control = this.deps.live.control;
    if (control.engaged) halts.push(`kill switch: ${control.reason ?? ''}`);
    if (pausedUntil !== null && now < pausedUntil)
      halts.push(
        `loss streak of ${streak.state.losses}: paused until ${new Date(pausedUntil).toISOString()}`,
      );
    if (daily.halted) halts.push('daily loss limit reached');
    if (drawdown.halted) halts.push('maximum drawdown reached');
    return {
      limits: limits as unknown as Record<string, unknown>,
      equity: exposure.equity,
      exposure: exposure.held,
      exposureLimit: exposure.limit,
      exposureHeadroom: exposure.headroom,
      openPositions: positions.length,
      openPositionsLimit: limits.maxOpenPositions,
      dailyPnl: daily.pnl,
      dailyLossLimit: daily.limit,
      dailyLossHeadroom: daily.headroom,
      drawdownPct: drawdown.pct,
      maxDrawdownPct: limits.maxDrawdown * 100,
      lossStreak: streak.state.losses,
      pausedUntil,
      halts,
    };
  }

  /**
   * Exposure and its limit as risk judges them: each venue account's positions against the maximum
   * exposure of the equity risk stored for it (the account's own, not the configured one), `headroom`
   * what may still be added before the first account refuses. Without a stored baseline (risk has not
   * run) it is the gateway's: every position against the curve's `curveEquity`.
   */
  private exposure(
    limits: RiskLimits,
    positions: ReadonlyArray<{ exchange: string; qty: number; avgEntry: number; lastPrice: number | null }>,
    accounts: RiskAccounts,
    curveEquity: number,
  ) {
    const marked = (list: typeof positions) =>
      list.reduce((s, p) => s + p.qty * (p.lastPrice ?? p.avgEntry), 0);
    const held = marked(positions);
    const each =
      accounts.size === 0
        ? [{ equity: curveEquity, held }]
        : [...accounts].map(([venue, account]) => ({
            equity: account.equity,
            held: marked(positions.filter((p) => p.exchange === venue)),
          }));
    return { equity: each.reduce((s, a) => s + a.equity, 0), held, ...exposureStanding(each, limits) };
  }

  /**
   * Today's result and the daily-loss limit as risk enforces them: from the baseline risk stores for each
   * venue account (its equity marked to market and the UTC day's start), measured by the core function its
   * halt uses, so a loss an open position took on an earlier day is not today's. `headroom` is what may
   * still be lost before the first account halts. Without a stored baseline (risk has not run) only the
   * trades closed today count: how much an open position moved since the day began is not known here.
   */
  private dailyLoss(limits: RiskLimits, trades: readonly ClosedTradeRecord[], stored: RiskAccounts) {
    const now = this.deps.clock.now();
    const accounts = [...stored.values()];
    if (accounts.length === 0) {
      const today = periodStart(now, 'day');
      const sum = (closed: readonly ClosedTradeRecord[]) => closed.reduce((s, t) => s + t.pnl, 0);
      const pnl = sum(trades.filter((t) => t.closeTime >= today));
      const dayStart = this.deps.initialEquity + sum(trades.filter((t) => t.closeTime < today));
      const limit = limits.dailyLoss * dayStart;
      return { pnl, limit, headroom: limit + Math.min(0, pnl), halted: -pnl >= limit };
    }
    const standings = accounts.map((account) => ({
      ...dailyLossStanding(account, limits, now),
      halted: !checkDailyLoss(account, limits, now).ok,
    }));
    return {
      pnl: -standings.reduce((s, a) => s + a.loss, 0),
      limit: standings.reduce((s, a) => s + a.limit, 0),
      headroom: Math.min(...standings.map((a) => (a.halted ? 0 : a.limit - Math.max(0, a.loss)))),
      halted: standings.some((a) => a.halted),
    };
  }

  /**
   * The drawdown as risk enforces it: from the peak risk stores for each venue account (its real equity, not the
   * configured one, and set anew by a resume that clears a drawdown halt), measured by the core function its halt
   * uses; a halt risk latched stays until that resume, however far the equity has come back. `pct` is the
   * deepest account's, as the first account to reach the limit halts. Without a stored baseline (risk has not
   * run) it is `curvePct`, the gateway's own: closed trades and marked positions from the configured equity.
   */
  private drawdown(limits: RiskLimits, curvePct: number, stored: RiskAccounts) {
    const accounts = [...stored.values()];
    if (accounts.length === 0) return { pct: curvePct, halted: curvePct >= limits.maxDrawdown * 100 };
    const pcts = accounts.map((account) => {
      const { peakEquity, drawdown } = drawdownStanding(account, limits);
      return peakEquity > 0 ? (Math.max(0, drawdown) / peakEquity) * 100 : 0;
    });
    return {
      pct: Math.max(...pcts),
      halted: accounts.some((account) => !checkDrawdown(account, limits).ok),
    };
  }

  /** The equity baseline risk last stored for each venue account, by venue; one that does not parse is left out. */
  private async riskAccounts(): Promise<RiskAccounts> {
    const state = new BotStateRepository(this.deps.db, this.deps.clock);
    const prefix = equityBaselineKey('');
    const keys = await state.keys(prefix);
    const stored = await Promise.all(
      keys.map(async (key) => {
        const value = await state.get(key, EquityBaseline).catch(() => undefined);
        return value ? ([key.slice(prefix.length), value.value] as const) : undefined;
      }),
    );
    return new Map(stored.filter((s) => s !== undefined));
  }

  async readiness() {
    const strategies = new Set(
      (await this.closedTrades()).map((t) => t.strategy).filter((s): s is string => !!s),
    );
    for (const p of this.deps.live.positions.values()) if (p.strategy) strategies.add(p.strategy);
    const out = [];
    for (const strategy of [...strategies].sort()) {
      const gathered = await gatherReadiness({
        db: this.deps.db,
        clock: this.deps.clock,
        strategy,
        // The account's own equity as risk stored it (as `ballast readiness`), never the curve's configured base.
        uptimeSampleMs: this.deps.uptimeSampleMs,
      });
      const report = evaluateReadiness(gathered.inputs, DEFAULT_READINESS_THRESHOLDS);
      out.push({ strategy, ok: report.ok, paperStart: gathered.paperStart, criteria: report.criteria });
    }
    return out;
  }

  async health() {
    const own = [
      {
        service: 'gateway:bus',
        ok: this.deps.bus.isHealthy(),
        detail: this.deps.bus.isHealthy() ? 'connected' : 'disconnected',
      },
      await this.dbHealth(),
    ];
    const others = await Promise.all(
      Object.entries(this.deps.healthUrls).map(([service, url]) => this.probe(service, url)),
    );
    return [...own, ...others];
  }

  private async dbHealth() {
    try {
      await sql`select 1`.execute(this.deps.db);
      return { service: 'gateway:database', ok: true, detail: 'reachable' };
    } catch {
      return { service: 'gateway:database', ok: false, detail: 'unreachable' };
    }
  }

  private async probe(service: string, url: string) {
    const f = this.deps.fetch ?? fetch;
    try {
      const res = await f(url, { signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS) });
      return { service, ok: res.ok, detail: `HTTP ${res.status}` };
    } catch (err) {
      return {
        service,
        ok: false,
        detail: (err as Error).name === 'TimeoutError' ? 'timed out' : 'unreachable',
      };
    }
  }
}
