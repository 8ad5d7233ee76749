import { DenyReason } from '@ballast/contracts';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { LimitsLoadOutcome } from './live-limits';
import { RISK_CONSUMERS } from './own-venue';
import { HEADROOM_LIMITS, type RiskFigures } from './risk-figures';

type Verdict = { ok: true } | { ok: false; reason: DenyReason };

/**
 * The risk service's Prometheus metrics. Gauges are read from the current figures at scrape time
 * (no bookkeeping to forget on some path); decisions are counted as they are made, every reason
 * pre-declared at 0 so a rate over it exists before the first denial.
 */
export class RiskMetrics {
  private readonly decisions: Counter<'outcome' | 'reason'>;
  private readonly limitLoads: Counter<'outcome'>;
  private readonly killSaveFailures: Counter;
  private readonly otherVenues: Counter<'consumer'>;
  private readonly restMarkFailures: Counter;

  constructor(registry: Registry, figures: () => RiskFigures | undefined) {
    const registers = [registry];
    // Figures are cheap (a handful of positions): each gauge computes them when scraped.
    const gauge = (name: string, help: string, read: (f: RiskFigures) => number) =>
      new Gauge({
        name,
        help,
        registers,
        collect() {
          const current = figures();
          if (current) this.set(read(current));
        },
      });
    gauge('ballast_risk_equity_quote', 'Account equity in quote money as risk sees it', (f) => f.equity);
    gauge('ballast_risk_peak_equity_quote', 'Highest equity seen (drawdown reference)', (f) => f.peakEquity);
    gauge(
      'ballast_risk_drawdown_ratio',
      'Drawdown from peak equity as a fraction of the peak',
      (f) => f.drawdownRatio,
    );
    gauge(
      'ballast_risk_daily_loss_quote',
      'Loss since the start of the UTC day (0 when up)',
      (f) => f.dailyLoss,
    );
    gauge(
      'ballast_risk_open_positions',
      'Open positions (market and side) counted by the limit',
      (f) => f.openPositions,
    );
    gauge('ballast_risk_loss_streak', 'Consecutive losing trades so far', (f) => f.lossStreak);
    gauge(
      'ballast_risk_loss_streak_pause_seconds',
      'Seconds left in the loss-streak pause (0 when not paused)',
      (f) => f.pauseRemainingSeconds,
    );
    gauge('ballast_control_kill_engaged', '1 while the kill switch is engaged in this service', (f) =>
      f.killEngaged ? 1 : 0,
    );
    new Gauge({
      name: 'ballast_risk_realised_pnl_quote',
      help: 'Realised P&L of trades closed in the window (today: since 00:00 UTC; week: since Monday 00:00 UTC)',
      labelNames: ['window'],
      registers,
      collect() {
        const current = figures();
        if (!current) return;
        this.set({ window: 'today' }, current.pnlToday);
        this.set({ window: 'week' }, current.pnlWeek);
      },
    });
    new Gauge({
      name: 'ballast_risk_limit_used_ratio',
      help: 'Use of each risk limit: used over allowed (1 = at the limit); exposure, open risk and positions count entries approved and not filled yet',
      labelNames: ['limit'],
      registers,
      collect() {
        const current = figures();
        if (!current) return;
        for (const limit of HEADROOM_LIMITS) this.set({ limit }, current.limitUsed[limit]);
      },
    });
    new Gauge({
      name: 'ballast_risk_limit_setting',
      help: 'Each risk limit in force, by deny reason: a fraction of equity, a count (max_open_positions) or a ratio (reward_risk)',
      labelNames: ['limit'],
      registers,
      collect() {
        const current = figures();
        if (!current) return;
        for (const [limit, value] of Object.entries(current.limits)) this.set({ limit }, value);
      },
    });
    new Gauge({
      name: 'ballast_risk_halted',
      help: '1 while entries are halted by this rule: daily_loss, drawdown or loss_streak',
      labelNames: ['halt'],
      registers,
      collect() {
        const current = figures();
        if (!current) return;
        for (const [halt, on] of Object.entries(current.halts)) this.set({ halt }, on ? 1 : 0);
      },
    });
    const positions = (name: string, help: string, read: (p: RiskFigures['positions'][number]) => number) =>
      new Gauge({
        name,
        help,
        labelNames: ['exchange', 'symbol', 'side'],
        registers,
        collect() {
          this.reset();
          for (const p of figures()?.positions ?? [])
            this.set({ exchange: p.exchange, symbol: p.symbol, side: p.side }, read(p));
        },
      });
    positions(
      'ballast_risk_position_notional_quote',
      'Open position notional at entry price',
      (p) => p.notional,
    );
    positions('ballast_risk_position_risk_quote', 'Money lost if the position stop fills', (p) => p.risk);
    this.decisions = new Counter({
      name: 'ballast_risk_decisions_total',
      help: 'Risk decisions by outcome (approved, denied) and deny reason (none when approved)',
      labelNames: ['outcome', 'reason'],
      registers,
    });
    this.decisions.inc({ outcome: 'approved', reason: 'none' }, 0);
    for (const reason of DenyReason.options) this.decisions.inc({ outcome: 'denied', reason }, 0);
    this.limitLoads = new Counter({
      name: 'ballast_risk_limit_loads_total',
      help: 'Reads of the operator-stored risk limits by outcome: applied, or invalid (refused, previous limits kept)',
      labelNames: ['outcome'],
      registers,
    });
    for (const outcome of ['applied', 'invalid'] as const) this.limitLoads.inc({ outcome }, 0);
    this.killSaveFailures = new Counter({
      name: 'ballast_control_kill_save_failures_total',
      help: 'Failed writes of the kill switch state (in force already; the write is tried again)',
      registers,
    });
    this.otherVenues = new Counter({
      name: 'ballast_risk_other_venue_messages_total',
      help: "Messages of another venue acknowledged untouched (that venue's risk judges them), by consumer",
      labelNames: ['consumer'],
      registers,
    });
    this.restMarkFailures = new Counter({
      name: 'ballast_risk_rest_mark_failures_total',
      help: "Failed REST depth reads of a held market's equity mark while its streamed book is untrusted (read again next interval)",
      registers,
    });
    for (const consumer of RISK_CONSUMERS) this.otherVenues.inc({ consumer }, 0);
  }

  restMarkFailed(): void {
    this.restMarkFailures.inc();
  }

  otherVenue(consumer: string): void {
    this.otherVenues.inc({ consumer });
  }

  killSaveFailed(): void {
    this.killSaveFailures.inc();
  }

  limitsLoaded(outcome: LimitsLoadOutcome): void {
    this.limitLoads.inc({ outcome });
  }

  decided(verdict: Verdict): void {
    if (verdict.ok) this.decisions.inc({ outcome: 'approved', reason: 'none' });
    else this.decisions.inc({ outcome: 'denied', reason: verdict.reason });
  }
}
