import type { DashboardSpec } from '../dashboard-spec';
import { LEADER } from '../mappings';

export const platform: DashboardSpec = {
  uid: 'ballast-platform',
  title: 'Ballast / Platform',
  description:
    'The machinery: services up, bus traffic, DLQ, handler time, reconciliation, the gateway, kill-switch writes, memory.',
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
      title: 'Handlers stuck (15 min)',
      kind: 'timeseries',
      description:
        'Messages whose handler was still running after NatsBus stuckHandlerMs (default 10 min): its durable delivers nothing else until it returns. A restart releases it once the process is killed (drain waits for the handler).',
      queries: [
        {
          expr: 'sum by (service, subject) (increase(ballast_bus_messages_total{direction="in", outcome="stuck"}[15m]))',
          legend: '{{service}} {{subject}}',
        },
      ],
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
      title: 'Reconciliation drift (1 h)',
      kind: 'timeseries',
      description:
        'Differences found between the venue and our records, by venue and kind, and corrections not written because our record changed meanwhile (read again next pass).',
      queries: [
        {
          expr: 'sum by (venue, kind) (increase(ballast_recon_drift_total[1h]))',
          legend: '{{venue}} {{kind}}',
        },
        {
          expr: 'sum by (venue, kind) (increase(ballast_recon_superseded_total[1h]))',
          legend: '{{venue}} {{kind}} superseded',
        },
      ],
    },
    {
      title: 'Reconciliation leader',
      kind: 'stat',
      description:
        'Per venue and process, whether it holds the venue reconciliation lock (leading) or stands by.',
      queries: [{ expr: 'ballast_recon_leader', legend: '{{venue}} {{instance}}' }],
      mappings: LEADER,
    },
    {
      title: 'Gateway sign-ins and refusals (1 h)',
      kind: 'timeseries',
      description:
        'Login attempts by outcome (ok, refused, rate_limited) and API requests refused by reason (unauthenticated, csrf, rate_limited).',
      queries: [
        {
          expr: 'sum by (outcome) (increase(ballast_gateway_logins_total[1h]))',
          legend: 'login {{outcome}}',
        },
        {
          expr: 'sum by (reason) (increase(ballast_gateway_refusals_total[1h]))',
          legend: 'refused {{reason}}',
        },
      ],
    },
    {
      title: 'Operator actions in the gateway (1 h)',
      kind: 'timeseries',
      description:
        'Kill and resume requests by outcome (published, refused, failed), those whose audit record could not be written (the command still went out), and configuration changes by kind and outcome (recorded, not_announced, or why refused).',
      queries: [
        {
          expr: 'sum by (action, outcome) (increase(ballast_gateway_control_actions_total[1h]))',
          legend: '{{action}} {{outcome}}',
        },
        {
          expr: 'sum by (action) (increase(ballast_gateway_control_audit_failures_total[1h]))',
          legend: '{{action}} audit not stored',
        },
        {
          expr: 'sum by (kind, outcome) (increase(ballast_gateway_config_changes_total[1h]))',
          legend: '{{kind}} {{outcome}}',
        },
      ],
    },
    {
      title: 'Telegram messages (1 h)',
      kind: 'timeseries',
      description:
        'Messages the bot sent to the allowed chats by what (alert, report) and outcome, and the notices queued for them by kind and severity (several may share one message).',
      queries: [
        {
          expr: 'sum by (what, outcome) (increase(ballast_telegram_messages_total[1h]))',
          legend: 'sent {{what}} {{outcome}}',
        },
        {
          expr: 'sum by (kind, severity) (increase(ballast_telegram_notices_total[1h]))',
          legend: 'notice {{kind}} {{severity}}',
        },
      ],
    },
    {
      title: 'Telegram commands (1 h)',
      kind: 'timeseries',
      description:
        'Kill and resume requests from Telegram by action and outcome, and updates ignored because their chat is not in TELEGRAM_ALLOWED_CHAT_IDS (someone else is talking to the bot).',
      queries: [
        {
          expr: 'sum by (action, outcome) (increase(ballast_telegram_control_total[1h]))',
          legend: '{{action}} {{outcome}}',
        },
        {
          expr: 'sum by (update) (increase(ballast_telegram_updates_ignored_total[1h]))',
          legend: 'ignored {{update}}',
        },
      ],
    },
    {
      title: 'Live-event streams',
      kind: 'stat',
      description: 'Open server-sent event streams of the gateway (its dashboards in browsers).',
      queries: [{ expr: 'ballast_gateway_sse_clients' }],
    },
    {
      title: 'Kill-switch write failures (1 h)',
      kind: 'stat',
      description:
        'Failed writes of the kill switch state, per service (it is in force already; the write is tried again).',
      queries: [
        {
          expr: 'sum by (service) (increase(ballast_control_kill_save_failures_total[1h]))',
          legend: '{{service}}',
        },
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
