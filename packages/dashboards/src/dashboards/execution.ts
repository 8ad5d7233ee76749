import type { DashboardSpec } from '../dashboard-spec';

export const execution: DashboardSpec = {
  uid: 'ballast-execution',
  title: 'Ballast / Execution',
  description: 'What happened to orders: outcomes, slippage, latency, TWAP progress and stop protection.',
  panels: [
    {
      title: 'Orders by outcome (1 h)',
      kind: 'timeseries',
      description: 'Order events by status; rejections carry their reason.',
      queries: [{ expr: 'ballast:orders_events:increase1h', legend: '{{status}} {{reason}}' }],
    },
    {
      title: 'Slippage (bps)',
      kind: 'timeseries',
      unit: 'none',
      description: 'Fill price against the touch when the order was accepted; positive is worse.',
      queries: [
        { expr: 'ballast:orders_slippage_bps:p50_1h', legend: 'p50' },
        { expr: 'ballast:orders_slippage_bps:p95_1h', legend: 'p95' },
      ],
    },
    {
      title: 'Submit to fill',
      kind: 'timeseries',
      unit: 's',
      description: 'From sending an order to the venue to learning of its fill.',
      queries: [
        { expr: 'ballast:orders_submit_to_fill_seconds:p95_1h', legend: 'p95' },
        {
          expr: 'sum(rate(ballast_orders_submit_to_fill_seconds_sum[1h])) / sum(rate(ballast_orders_submit_to_fill_seconds_count[1h]))',
          legend: 'mean',
        },
      ],
    },
    {
      title: 'TWAP slices',
      kind: 'stat',
      description: 'TWAP slices planned and sent; the difference is still to go (or aborted by a kill).',
      queries: [{ expr: 'sum by (stage) (ballast_orders_twap_slices_total)', legend: '{{stage}}' }],
    },
    {
      title: 'Stop coverage',
      kind: 'stat',
      unit: 'percentunit',
      description: 'Open positions with a verified exchange-side stop.',
      queries: [{ expr: 'min(ballast_stops_coverage_ratio)' }],
    },
    {
      title: 'Stop placements (1 h)',
      kind: 'timeseries',
      description: 'Stop placements by outcome: verified, retried, failed, verify_failed.',
      queries: [
        { expr: 'sum by (outcome) (increase(ballast_stops_placements_total[1h]))', legend: '{{outcome}}' },
      ],
    },
    {
      title: 'Stop read-backs (1 h)',
      kind: 'timeseries',
      description:
        'Periodic read-backs of live stops on the venue: ok, lost (gone without a fill), executed, error.',
      queries: [
        {
          expr: 'sum by (outcome) (increase(ballast_stops_verifications_total[1h]))',
          legend: '{{outcome}}',
        },
      ],
    },
    {
      title: 'Trailing ATR warm-ups and unusable messages (1 h)',
      kind: 'timeseries',
      description:
        'Trailing ATRs filled from stored candles (warmed, too_few_bars, failed: warms on live bars), and messages the stops service could not act on, by subject.',
      queries: [
        {
          expr: 'sum by (outcome) (increase(ballast_stops_atr_warmups_total[1h]))',
          legend: 'ATR {{outcome}}',
        },
        {
          expr: 'sum by (subject) (increase(ballast_stops_invalid_messages_total[1h]))',
          legend: 'unusable {{subject}}',
        },
      ],
    },
    {
      title: 'Sends with unknown outcome (1 h)',
      kind: 'stat',
      description:
        'Sends answered neither by the venue nor by a look-up: the order stays sending until a later look-up resolves it.',
      queries: [{ expr: 'sum(increase(ballast_orders_unknown_outcome_total[1h]))' }],
    },
  ],
};
