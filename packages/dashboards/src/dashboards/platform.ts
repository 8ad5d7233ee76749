import type { DashboardSpec } from '../dashboard-spec';

export const platform: DashboardSpec = {
  uid: 'ballast-platform',
  title: 'Ballast / Platform',
  description: 'The machinery: services up, bus traffic, DLQ, handler time, reconciliation, memory.',
  panels: [
    {
      title: 'Services up',
      kind: 'stat',
      width: 24,
      description: 'Whether Prometheus can scrape each service.',
      queries: [{ expr: 'up{job="ballast"}', legend: '{{service}}' }],
    },
    {
      title: 'Bus messages per second',
      kind: 'timeseries',
      unit: 'reqps',
      description: 'Messages by service, subject family and direction.',
      queries: [
        {
          expr: 'sum by (service, subject, direction) (ballast:bus_messages:rate1m)',
          legend: '{{service}} {{direction}} {{subject}}',
        },
      ],
    },
    {
      title: 'DLQ (10 min)',
      kind: 'timeseries',
      description: 'Inbound messages sent to dlq.<subject>: invalid, or out of delivery attempts.',
      queries: [{ expr: 'ballast:dlq_messages:increase10m', legend: '{{service}} {{subject}}' }],
    },
    {
      title: 'Handler time p99',
      kind: 'timeseries',
      unit: 's',
      description: 'The 99th percentile of bus handler time over 5 minutes.',
      queries: [{ expr: 'ballast:bus_handler_duration_seconds:p99_5m', legend: '{{service}} {{subject}}' }],
    },
    {
      title: 'Reconciliation runs (1 h)',
      kind: 'timeseries',
      description:
        'Runs by venue and outcome: clean, repaired, flagged (a balance nothing of ours explains), unreconciled, unknown.',
      queries: [
        {
          expr: 'sum by (venue, outcome) (increase(ballast_recon_runs_total[1h]))',
          legend: '{{venue}} {{outcome}}',
        },
      ],
    },
    {
      title: 'Since last clean reconciliation',
      kind: 'stat',
      unit: 's',
      description:
        'Time since reconciliation last found the venue and our records equal (a flagged run does not count).',
      queries: [{ expr: 'time() - ballast_recon_last_clean_timestamp_seconds', legend: '{{venue}}' }],
    },
    {
      title: 'Reconciliation run time p95',
      kind: 'stat',
      unit: 's',
      description: 'Wall time of one reconciliation run.',
      queries: [
        { expr: 'histogram_quantile(0.95, sum by (le) (rate(ballast_recon_duration_seconds_bucket[1h])))' },
      ],
    },
    {
      title: 'Process memory',
      kind: 'timeseries',
      unit: 'bytes',
      description: 'Resident memory and used heap per service.',
      queries: [
        { expr: 'process_resident_memory_bytes{job="ballast"}', legend: '{{service}} rss' },
        { expr: 'nodejs_heap_size_used_bytes{job="ballast"}', legend: '{{service}} heap' },
      ],
    },
  ],
};
