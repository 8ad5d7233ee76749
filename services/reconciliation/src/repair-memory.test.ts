import type { Clock, RecordFill } from '@ballast/contracts';
import { botStateBed, expectInvalidState } from '@ballast/db/testing';
import { describe, expect, it } from 'vitest';
import { alertedDrifts, flaggedBalances } from './alerted-once';
import { PendingAdjustments } from './pending-adjustments';

let now = Date.UTC(2026, 10, 24, 12);
const clock: Clock = { now: () => now };
const bed = botStateBed('recon_repair_memory', clock);

const adjustment: RecordFill = {
  kind: 'record_fill',
  origin: 'adjustment',
  clientOrderId: 'recon-adj-1',
  intentId: 'recon-adj-1',
  venueOrderId: null,
  exchange: 'binance',
  symbol: 'BTC-USDT',
  side: 'buy',
  fill: {
    tradeId: 'adj-1',
    price: 91_000,
    qty: 0.002,
    fee: 0,
    feeAsset: 'USDT',
    liquidity: 'taker',
    time: 1_764_000_000_000,
  },
};

describe('flagged balances in bot_state', () => {
  it('reads the differences a row written before holds, and keeps only the assets still off', async () => {
    const key = 'recon.flagged-balances.olddesk';
    await bed.write(key, '{"BTC":0.0005,"USDT":-12.5}');
    const flagged = flaggedBalances(bed.state, 'olddesk');
    expect(await flagged.isNew('BTC', 0.0005)).toBe(false);
    expect(await flagged.isNew('BTC', 0.0006)).toBe(true);
    expect(await flagged.isNew('ETH', 1)).toBe(true);

    await flagged.keepOnly(new Set(['BTC', 'USDT']));
    expect(await bed.read(key)).toEqual({ value: { BTC: 0.0005, USDT: -12.5 }, updatedAt: 0 });
    now += 1_000;
    await flagged.keepOnly(new Set(['BTC']));
    expect(await bed.read(key)).toEqual({ value: { BTC: 0.0005 }, updatedAt: now });
    await flagged.remember('ETH', 2);
    expect(await bed.read(key)).toEqual({ value: { BTC: 0.0005, ETH: 2 }, updatedAt: now });
  });

  it('remembers lasting drifts by key, as alerted once, until a run no longer finds them', async () => {
    const key = 'recon.alerted-drifts.desk';
    const alerted = alertedDrifts(bed.state, 'desk');
    expect(await alerted.isNew('stop:binance:BTC-USDT', true)).toBe(true);
    await alerted.remember('stop:binance:BTC-USDT', true);
    expect(await alerted.isNew('stop:binance:BTC-USDT', true)).toBe(false);
    expect(await bed.read(key)).toMatchObject({ value: { 'stop:binance:BTC-USDT': true } });
    await alerted.keepOnly(new Set());
    expect(await alerted.isNew('stop:binance:BTC-USDT', true)).toBe(true);
  });

  it('alerts on every difference before the first is remembered', async () => {
    expect(await flaggedBalances(bed.state, 'never').isNew('BTC', 0)).toBe(true);
  });
});

describe('PendingAdjustments in bot_state', () => {
  it('reads the adjustment a row written before holds, and forgets it once seen', async () => {
    const key = 'recon.pending-adjustments.olddesk';
    await bed.write(key, JSON.stringify({ 'BTC-USDT': adjustment }));
    const pending = new PendingAdjustments(bed.state, 'olddesk');
    expect(await pending.get('BTC-USDT')).toEqual(adjustment);
    expect(await pending.get('ETH-USDT')).toBeUndefined();

    now += 1_000;
    await pending.forget('ETH-USDT');
    expect(await bed.read(key)).toEqual({ value: { 'BTC-USDT': adjustment }, updatedAt: 0 });
    await pending.forget('BTC-USDT');
    expect(await bed.read(key)).toEqual({ value: {}, updatedAt: now });
    await pending.remember(adjustment);
    expect(await bed.read(key)).toEqual({ value: { 'BTC-USDT': adjustment }, updatedAt: now });
  });

  it('refuses a row that does not parse with invalid_state naming its key', async () => {
    const key = 'recon.pending-adjustments.broken';
    await bed.write(key, '{"BTC-USDT":{"kind":"record_fill"}}');
    await expectInvalidState(new PendingAdjustments(bed.state, 'broken').get('BTC-USDT'), key);
  });
});
