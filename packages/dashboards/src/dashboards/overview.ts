import type { DashboardSpec } from '../dashboard-spec';
import { onOff, READY } from '../mappings';

export const overview: DashboardSpec = {
  uid: 'ballast-overview',
  title: 'Ballast / Overview',
  description:
    'Money, exposure and whether the system may trade: equity, P&L, drawdown, positions, kill switch and halts.',
  panels: [
    {
      title: 'Equity',
      kind: 'stat',
      unit: 'none',
      description: 'Account equity in quote money as the risk service sees it.',
      queries: [{ expr: 'ballast_risk_equity_quote' }],
    },
    {
      title: 'P&L today',
      kind: 'stat',
      unit: 'none',
      description: 'Realised P&L of trades closed since 00:00 UTC (quote money).',
      queries: [{ expr: 'ballast_risk_realised_pnl_quote{window="today"}' }],
    },
    {
      title: 'P&L this week',
      kind: 'stat',
      unit: 'none',
      description: 'Realised P&L of trades closed since Monday 00:00 UTC (quote money).',
      queries: [{ expr: 'ballast_risk_realised_pnl_quote{window="week"}' }],
    },
    {
      title: 'Drawdown',
      kind: 'stat',
      unit: 'percentunit',
      description:
        'Equity below its peak, as a fraction of the peak; the drawdown halt triggers at its limit.',
      queries: [{ expr: 'ballast_risk_drawdown_ratio' }],
    },
    {
      title: 'Equity and peak',
      kind: 'timeseries',
      unit: 'none',
      description: 'Equity against the peak it is measured from.',
      queries: [
        { expr: 'ballast_risk_equity_quote', legend: 'equity' },
        { expr: 'ballast_risk_peak_equity_quote', legend: 'peak' },
      ],
    },
    {
      title: 'Open positions and their risk',
      kind: 'table',
      description: 'Per position: notional at entry and the money lost if its stop fills.',
      queries: [
        { expr: 'ballast_risk_position_notional_quote', legend: 'notional' },
        { expr: 'ballast_risk_position_risk_quote', legend: 'risk at stop' },
      ],
    },
    {
      title: 'Kill switch',
      kind: 'stat',
      description: 'Engaged in any service: no new entries until `ballast resume --confirm`.',
      queries: [{ expr: 'max by (service) (ballast_control_kill_engaged)', legend: '{{service}}' }],
      mappings: onOff('off', 'ENGAGED'),
    },
    {
      title: 'Halts',
      kind: 'stat',
      description: 'Risk halts: daily loss (until 00:00 UTC), drawdown (until resumed), loss-streak pause.',
      queries: [{ expr: 'ballast_risk_halted', legend: '{{halt}}' }],
      mappings: onOff('clear', 'HALTED'),
    },
    {
      title: 'Open positions',
      kind: 'stat',
      description: 'Markets and sides held, as the open-positions limit counts them.',
      queries: [{ expr: 'ballast_risk_open_positions' }],
    },
    {
      title: 'Stop coverage',
      kind: 'stat',
      unit: 'percentunit',
      description: 'Open positions with a verified exchange-side stop; below 100% a position is unprotected.',
      queries: [{ expr: 'min(ballast_stops_coverage_ratio)' }],
    },
    {
      title: 'Readiness per strategy',
      kind: 'stat',
      width: 12,
      description:
        'Ready for live money when every go-live criterion is met (`ballast readiness` lists them).',
      queries: [{ expr: 'min by (strategy) (ballast_readiness_criterion_ok)', legend: '{{strategy}}' }],
      mappings: READY,
    },
    {
      title: 'Readiness criteria',
      kind: 'table',
      description: 'Each strategy’s go-live criteria: 1 met, 0 not yet.',
      queries: [{ expr: 'ballast_readiness_criterion_ok', legend: '{{strategy}} {{criterion}}' }],
    },
  ],
};
