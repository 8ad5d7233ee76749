import type { DashboardSpec } from '../dashboard-spec';
import { onOff } from '../mappings';

export const marketData: DashboardSpec = {
  uid: 'ballast-market-data',
  title: 'Ballast / Market data',
  description: 'The feeds every decision rests on: throughput, lag, reconnects, gaps and stale symbols.',
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
        { expr: 'ballast:md_gaps:increase15m', legend: '{{kind}} gaps' },
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
  ],
};
