import type { DashboardSpec } from '../dashboard-spec';

export const risk: DashboardSpec = {
  uid: 'ballast-risk',
  title: 'Ballast / Risk',
  description: 'How close each limit is, why entries were refused, loss streak and daily loss.',
  panels: [
    {
      title: 'Headroom per limit',
      kind: 'bargauge',
      unit: 'percentunit',
      description:
        'Share of each limit still free: exposure, open risk, open positions (held plus entries approved, not filled yet, as risk counts them), daily loss, drawdown.',
      queries: [{ expr: 'ballast:risk_limit_headroom:ratio', legend: '{{limit}}' }],
    },
    {
      title: 'Rejections by reason (1 h)',
      kind: 'timeseries',
      description: 'Entries the risk manager denied, by deny reason.',
      queries: [{ expr: 'ballast:risk_denials:increase1h', legend: '{{reason}}' }],
    },
    {
      title: 'Decisions (1 h)',
      kind: 'timeseries',
      description: 'Approved and denied entries.',
      queries: [
        { expr: 'sum by (outcome) (increase(ballast_risk_decisions_total[1h]))', legend: '{{outcome}}' },
      ],
    },
    {
      title: 'Loss streak',
      kind: 'stat',
      description: 'Consecutive losing trades; a pause starts at the configured counts.',
      queries: [{ expr: 'ballast_risk_loss_streak' }],
    },
    {
      title: 'Loss-streak pause left',
      kind: 'stat',
      unit: 's',
      description: 'Time until entries resume after a loss streak (0 when not paused).',
      queries: [{ expr: 'ballast_risk_loss_streak_pause_seconds' }],
    },
    {
      title: 'Daily loss',
      kind: 'timeseries',
      unit: 'none',
      description: 'Loss since 00:00 UTC in quote money, and the share of the daily loss limit it uses.',
      queries: [
        { expr: 'ballast_risk_daily_loss_quote', legend: 'loss' },
        { expr: 'ballast_risk_limit_used_ratio{limit="daily_loss"}', legend: 'share of limit' },
      ],
    },
    {
      title: 'Open risk',
      kind: 'timeseries',
      unit: 'none',
      description: 'Money lost if every open position stop filled.',
      queries: [{ expr: 'ballast:risk_open_risk:sum', legend: 'open risk' }],
    },
    {
      title: 'Limits in force',
      kind: 'table',
      description:
        'Each risk limit risk applies, by deny reason: a fraction of equity, a count (max_open_positions) or a ratio (reward_risk).',
      queries: [{ expr: 'ballast_risk_limit_setting', legend: '{{limit}}' }],
    },
    {
      title: 'Stored limits read (1 h)',
      kind: 'timeseries',
      description:
        'Reads of the operator-stored risk limits: applied, or invalid (refused; the previous limits stay).',
      queries: [
        { expr: 'sum by (outcome) (increase(ballast_risk_limit_loads_total[1h]))', legend: '{{outcome}}' },
      ],
    },
    {
      title: "Other venues' messages passed over (1 h)",
      kind: 'timeseries',
      description:
        "Messages of another trading account on the shared bus, acknowledged untouched: that venue's risk judges them. Steady with two accounts; with one, a misrouted publisher.",
      queries: [
        {
          expr: 'sum by (consumer) (increase(ballast_risk_other_venue_messages_total[1h]))',
          legend: '{{consumer}}',
        },
      ],
    },
    {
      title: 'REST marks failed (1 h)',
      kind: 'timeseries',
      description:
        "Failed REST depth reads of a held market's equity mark while its streamed book is untrusted (after a restart, until market-data's next snapshot). Steady failures leave equity at its last mark: the halts do not see prices move.",
      queries: [{ expr: 'sum(increase(ballast_risk_rest_mark_failures_total[1h]))', legend: 'failed reads' }],
    },
  ],
};
