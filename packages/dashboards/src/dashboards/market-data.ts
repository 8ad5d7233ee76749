import type { DashboardSpec } from '../dashboard-spec';
import { onOff } from '../mappings';

export const marketData: DashboardSpec = {
  uid: 'ballast-market-data',
  title: 'Ballast / Market data',
  description:
    'The feeds every decision rests on: throughput, lag, reconnects, gaps, stale symbols, REST waits, and the candles and vectors through features into signals.',
  panels: [
    {
      title: 'Frames per second',
      kind: 'timeseries',
      unit: 'reqps',
      description: 'WebSocket payloads received per venue; outcomes other than ok were dropped (and why).',
      queries: [{ expr: 'ballast:md_frames:rate1m', legend: '{{venue}} {{outcome}}' }],
    },
    {
      title: 'Feed lag',
      kind: 'timeseries',
      unit: 's',
      description: 'Our clock minus the event time of the last payload, per venue.',
      queries: [{ expr: 'ballast_md_feed_lag_seconds', legend: '{{venue}}' }],
    },
    {
      title: 'Reconnects (10 min)',
      kind: 'timeseries',
      description: 'WebSocket reconnects by reason; planned ones are routine.',
      queries: [{ expr: 'ballast:md_reconnects:increase10m', legend: '{{venue}} {{reason}}' }],
    },
    {
      title: 'Gaps and backfill (15 min)',
      kind: 'timeseries',
      description: 'Sequence gaps detected (candle, depth) and closed candles backfilled over REST.',
      queries: [
        { expr: 'ballast:md_gaps:increase15m', legend: '{{venue}} {{symbol}} {{kind}} gaps' },
        { expr: 'sum(increase(ballast_md_backfilled_candles_total[15m]))', legend: 'backfilled candles' },
      ],
    },
    {
      title: 'Stale symbols',
      kind: 'stat',
      width: 12,
      description: 'Symbols without an update beyond STALE_AFTER_MS; risk refuses entries on them.',
      queries: [{ expr: 'ballast_md_symbol_stale', legend: '{{venue}} {{symbol}}' }],
      mappings: onOff('live', 'STALE'),
    },
    {
      title: 'Candles into features',
      kind: 'timeseries',
      unit: 'cpm',
      description: 'Closed candles the features service consumed per minute.',
      queries: [{ expr: 'sum(rate(ballast_features_candles_total[5m])) * 60', legend: 'candles/min' }],
    },
    {
      title: 'REST failures (1 h)',
      kind: 'timeseries',
      description:
        'Candle backfills and depth snapshots that failed after their retries and were scheduled again, by venue and reason (banned: HTTP 418).',
      queries: [
        {
          expr: 'sum by (venue, reason) (increase(ballast_md_backfill_failures_total[1h]))',
          legend: '{{venue}} backfill {{reason}}',
        },
        {
          expr: 'sum by (venue, reason) (increase(ballast_md_depth_snapshot_failures_total[1h]))',
          legend: '{{venue}} snapshot {{reason}}',
        },
      ],
    },
    {
      title: 'REST held by the venue',
      kind: 'stat',
      unit: 's',
      width: 12,
      description:
        'Time until the venue may be asked over REST again (an IP ban or a Retry-After it named); 0 when nothing waits.',
      queries: [{ expr: 'ballast_md_rest_blocked_seconds', legend: '{{venue}}' }],
    },
    {
      title: 'Feature series state',
      kind: 'table',
      description:
        'Each configured series and its state: warming until its first vector, ready while it publishes, cold after a hole restarted it, rejected while its candles give no vector.',
      queries: [
        {
          expr: 'ballast_features_series_state == 1',
          legend: '{{exchange}} {{symbol}} {{timeframe}} {{state}}',
        },
      ],
    },
    {
      title: 'Since the last vector',
      kind: 'timeseries',
      unit: 's',
      description:
        'Per series, time since the bar of its newest vector closed; it grows by the timeframe between bars and without bound when a series goes silent.',
      queries: [
        {
          expr: 'time() - ballast_features_last_vector_time_seconds',
          legend: '{{exchange}} {{symbol}} {{timeframe}}',
        },
      ],
    },
    {
      title: 'Features rejections and holes (1 h)',
      kind: 'timeseries',
      description:
        'Candles that gave no vector by error (out_of_order, resample_failed, non_finite, from_future: a delivered candle closing after the clock, dropped; ADR 26), and runs of candles missing from stream and database (bridged, or restarting the series cold).',
      queries: [
        {
          expr: 'sum by (reason) (increase(ballast_features_rejections_total[1h]))',
          legend: 'rejected {{reason}}',
        },
        { expr: 'sum by (action) (increase(ballast_features_holes_total[1h]))', legend: 'hole {{action}}' },
      ],
    },
    {
      title: 'Stored candles features passed over',
      kind: 'stat',
      description:
        'Stored candles the features warm-up left out since the service started, by reason: from_future (closing after the clock, e.g. stamped in microseconds; ADR 26). Their series is named in the log; delete the rows.',
      queries: [{ expr: 'sum by (reason) (ballast_features_passed_over_total)', legend: '{{reason}}' }],
    },
    {
      title: 'Vectors into signals',
      kind: 'timeseries',
      unit: 'cpm',
      description:
        'Feature vectors signals received per minute, by outcome: new, repeat (redelivery), out_of_order, stale (bar too old to trade), unreadable, forgotten (a redelivery whose candidates were lost; should stay at 0), after_gap (new, but its previous bar never came: the strategies read it with no history).',
      queries: [
        {
          expr: 'sum by (outcome) (rate(ballast_signals_vectors_total[5m])) * 60',
          legend: '{{outcome}}',
        },
      ],
    },
    {
      title: 'Signal cycles (1 h)',
      kind: 'timeseries',
      description:
        'Cycles ranked across SIGNALS_UNIVERSE: complete, or incomplete (ranked at the deadline without a symbol).',
      queries: [
        { expr: 'sum by (outcome) (increase(ballast_signals_cycles_total[1h]))', legend: '{{outcome}}' },
      ],
    },
  ],
};
