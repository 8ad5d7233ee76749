import type { CriterionResult, KillState, PeriodPnl, PnlPeriod, StoredLifecycle } from '@ballast/core';
import type { ServiceHealth } from '../health/health-watch';
import { num, pct, signed, utc } from '../state/format';
import type { Halt, OpenPosition } from '../state/operator-view';

export const HELP = [
  'Ballast bot commands:',
  '/status: kill switch, halts, open positions, today’s P&L, services',
  '/positions: open positions with entry and stop',
  '/pnl [day|week|month]: closed-trade P&L (default day)',
  '/readiness: each strategy’s lifecycle and go-live criteria',
  '/kill [flatten] [reason]: engage the kill switch (asks to confirm)',
  '/resume [clear-drawdown] [reason]: lift the kill switch, and with clear-drawdown the max-drawdown halt (asks to confirm)',
  '/help: this list',
].join('\n');

export interface StatusFacts {
  kill: KillState;
  halts: Halt[];
  positions: number;
  today: PeriodPnl;
  services: ServiceHealth[];
  /**
   * Prometheus' firing alerts by name, as last read, and why the latest reading failed; null when
   * Prometheus is not watched.
   */
  alerts: { firing: string[]; unreadable: string | undefined } | null;
  badFeeds: string[];
  unreconciled: string[];
}

export function statusReply(f: StatusFacts): string {
  const kill = f.kill.engaged
    ? `Kill switch: ENGAGED${f.kill.flatten ? ' (flatten)' : ''} by ${f.kill.requestedBy ?? '?'}: ${f.kill.reason ?? ''}`
    : 'Kill switch: off';
  const halts = f.halts.length === 0 ? 'Halts: none' : `Halts: ${f.halts.map((h) => h.reason).join(', ')}`;
  const services =
    f.services.length === 0
      ? 'Services: not watched'
      : `Services: ${f.services.map((s) => `${s.service} ${s.ok ? 'up' : `DOWN (${s.detail})`}`).join(', ')}`;
  return [
    kill,
    halts,
    `Open positions: ${f.positions}`,
    `Today: ${signed(f.today.pnl)} over ${f.today.trades} trade(s), fees ${f.today.fees.toFixed(2)}`,
    services,
    ...(f.alerts === null ? [] : [alertsLine(f.alerts)]),
    ...(f.badFeeds.length ? [`Feeds in trouble: ${f.badFeeds.join(', ')}`] : []),
    ...(f.unreconciled.length ? [`Not reconciled: ${f.unreconciled.join(', ')}`] : []),
  ].join('\n');
}

function alertsLine({ firing, unreadable }: NonNullable<StatusFacts['alerts']>): string {
  const names = firing.length ? firing.join(', ') : 'none';
  if (unreadable === undefined) return `Alerts firing: ${names}`;
  return `Alerts: unknown, Prometheus unreadable (${unreadable}); last read firing: ${names}`;
}

export function positionsReply(positions: readonly OpenPosition[]): string {
  if (positions.length === 0) return 'No open positions.';
  const lines = positions.map(
    (p) =>
      `${p.symbol} ${p.side} ${num(p.qty)} @ ${num(p.avgEntry)} on ${p.exchange}` +
      `, stop ${p.stopPrice === null ? 'none' : num(p.stopPrice)}${p.strategy ? ` (${p.strategy})` : ''}`,
  );
  return [`Open positions (${positions.length}):`, ...lines].join('\n');
}

export function pnlReply(period: PnlPeriod, p: PeriodPnl): string {
  return [
    `P&L this ${period} (since ${utc(p.from)} UTC):`,
    `Net ${signed(p.pnl)} (${pct(p.returnPct)}), ${p.trades} trade(s), ${p.wins} winning`,
    `Fees ${p.fees.toFixed(2)}`,
  ].join('\n');
}

export interface StrategyReadiness {
  strategy: string;
  lifecycle: StoredLifecycle | null;
  ok: boolean;
  criteria: CriterionResult[];
}

const figure = (v: number | null) => (v === null ? 'n/a' : String(Number(v.toFixed(2))));

export function readinessReply(rows: readonly StrategyReadiness[]): string {
  if (rows.length === 0) return 'No strategy has traded yet.';
  return rows
    .map((r) => {
      const state = r.lifecycle
        ? `${r.lifecycle.state} since ${utc(r.lifecycle.since)}`
        : 'shadow (not recorded)';
      const head = `${r.strategy}: ${state}; gate ${r.ok ? 'PASSED' : 'not passed'}`;
      const lines = r.criteria.map(
        (c) =>
          `  ${c.ok ? '✅' : '❌'} ${c.criterion} ${figure(c.value)} (needs ${c.comparison} ${c.threshold})`,
      );
      return [head, ...lines].join('\n');
    })
    .join('\n\n');
}
