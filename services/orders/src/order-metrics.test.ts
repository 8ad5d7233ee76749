import type { Fill, OrderEvent } from '@ballast/contracts';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { OrderMetrics } from './order-metrics';

const fill = (price: number, time: number): Fill => ({
  tradeId: `t${price}`,
  price,
  qty: 0.01,
  fee: 0,
  feeAsset: 'USDT',
  liquidity: 'taker',
  time,
});

const event = (status: OrderEvent['status'], reason: OrderEvent['reason'] = null): OrderEvent => ({
  status,
  intentId: 'in-1',
  clientOrderId: 'c-1',
  venueOrderId: null,
  exchange: 'binance',
  symbol: 'BTC-USDT',
  side: 'buy',
  type: 'market',
  qty: 0.01,
  filledQty: 0,
  avgPrice: null,
  fill: null,
  reason,
  detail: null,
});

function setup() {
  const registry = new Registry();
  let now = 1_000_000;
  let killed = false;
  const metrics = new OrderMetrics(registry, { now: () => now }, () => killed);
  return {
    registry,
    metrics,
    advance: (ms: number) => {
      now += ms;
    },
    kill: () => {
      killed = true;
    },
  };
}

describe('OrderMetrics', () => {
  it('measures slippage against the touch at acceptance and the time from send to fill', async () => {
    const { registry, metrics, advance } = setup();
    const book = { bids: [[99, 1] as const], asks: [[100, 1] as const, [101, 1] as const] };
    metrics.accepted('in-1', 'buy', 0.01, book);
    metrics.sent('in-1', 'c-1');
    advance(300);
    metrics.filled('in-1', 'c-1', 'buy', fill(100.05, 0)); // 5 bps above the 100 ask
    const text = await registry.metrics();
    expect(text).toContain('ballast_orders_slippage_bps_sum{side="buy"} 4.99999999999');
    expect(text).toContain('ballast_orders_slippage_bps_bucket{le="5",side="buy"} 1');
    expect(text).toContain('ballast_orders_slippage_bps_bucket{le="2",side="buy"} 0');
    expect(text).toContain('ballast_orders_submit_to_fill_seconds_sum 0.3');
    expect(text).toContain('ballast_orders_submit_to_fill_seconds_count 1');
  });

  it('exports both sides of the slippage histogram at zero before the first fill', async () => {
    const { registry } = setup();
    const text = await registry.metrics();
    expect(text).toContain('ballast_orders_slippage_bps_count{side="buy"} 0');
    expect(text).toContain('ballast_orders_slippage_bps_count{side="sell"} 0');
  });

  it('counts a better-than-touch sell as negative slippage', async () => {
    const { registry, metrics } = setup();
    metrics.accepted('in-2', 'sell', 0.01, { bids: [[200, 1]], asks: [[201, 1]] });
    metrics.filled('in-2', 'c-2', 'sell', fill(200.2, 0));
    expect(await registry.metrics()).toContain('ballast_orders_slippage_bps_sum{side="sell"} -9.99999999999');
  });

  it('counts events by status and reason, and TWAP slices planned and sent', async () => {
    const { registry, metrics, kill } = setup();
    expect(await registry.metrics()).toContain('ballast_orders_twap_slices_total{stage="sent"} 0');
    metrics.twapPlanned('in-3', 4);
    metrics.sent('in-3', 'c-3-0');
    metrics.sent('in-4', 'c-4-0'); // not a TWAP
    metrics.event(event('filled'));
    metrics.event(event('rejected', 'kill_switch'));
    kill();
    const text = await registry.metrics();
    expect(text).toContain('ballast_orders_twap_slices_total{stage="planned"} 4');
    expect(text).toContain('ballast_orders_twap_slices_total{stage="sent"} 1');
    expect(text).toContain('ballast_orders_events_total{status="filled",reason="none"} 1');
    expect(text).toContain('ballast_orders_events_total{status="rejected",reason="kill_switch"} 1');
    expect(text).toContain('ballast_control_kill_engaged 1');
  });
});
