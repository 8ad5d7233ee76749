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
  ],
};
