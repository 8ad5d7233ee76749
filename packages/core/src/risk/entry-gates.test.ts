import { describe, expect, it } from 'vitest';
import { checkEntryGates } from './entry-gates';
import { DEFAULT_RISK_LIMITS as limits } from './risk-limits';
import {
  applyClosedTrade,
  applyEquityMark,
  engageKillSwitch,
  setMarketStale,
  setVenueReconciled,
} from './risk-reducers';
import { initialRiskState, type RiskState } from './risk-state';

const HOUR = 3_600_000;
const NOW = Date.UTC(2022, 0, 10, 12);
const market = { exchange: 'binance', symbol: 'BTC-USDT' };
const base = initialRiskState(10_000, NOW);
const gates = (state: RiskState, now = NOW) => checkEntryGates(state, market, limits, now);
const losses = (state: RiskState, n: number, lastAt: number) =>
  Array.from({ length: n }, (_, i) => lastAt - (n - 1 - i) * HOUR).reduce(
    (s, closeTime) => applyClosedTrade(s, { pnl: -10, fees: 0, closeTime }),
    state,
  );

describe('entry gates', () => {
  it('lets an entry through when nothing is closed', () => {
    expect(gates(base)).toEqual({ ok: true });
  });

  it('rejects everything while the kill switch is engaged, before any other gate', () => {
    let state = setMarketStale(
      engageKillSwitch(base, { reason: 'operator stop', at: NOW }),
      'binance:BTC-USDT',
      true,
    );
    state = applyEquityMark(state, { equity: 5_000, time: NOW }, limits);
    expect(gates(state)).toEqual({
      ok: false,
      reason: 'kill_switch',
      limit: 0,
      value: 1,
      detail: 'kill switch engaged: operator stop',
    });
  });

  it('denies entries during a loss-streak pause with its end time as the limit', () => {
    const state = losses(base, 3, NOW - HOUR);
    expect(gates(state)).toEqual({
      ok: false,
      reason: 'loss_streak',
      limit: NOW + 5 * HOUR,
      value: NOW,
      detail: '3 consecutive losses: entries paused until 2022-01-10T17:00:00.000Z',
    });
    expect(gates(state, NOW + 5 * HOUR)).toEqual({ ok: true });
  });

  it('denies entries on a market whose data is stale, not on other markets', () => {
    const state = setMarketStale(base, 'binance:BTC-USDT', true);
    expect(gates(state)).toMatchObject({ ok: false, reason: 'stale_data', limit: 0, value: 1 });
    expect(checkEntryGates(state, { exchange: 'binance', symbol: 'ETH-USDT' }, limits, NOW)).toEqual({
      ok: true,
    });
  });

  it('denies entries on an unreconciled venue', () => {
    expect(gates(setVenueReconciled(base, 'binance', false))).toEqual({
      ok: false,
      reason: 'unreconciled',
      limit: 0,
      value: 1,
      detail: 'binance is not reconciled with our records',
    });
  });

  it('reports the drawdown halt before the daily loss when both apply', () => {
    const state = applyEquityMark(base, { equity: 8_000, time: NOW }, limits);
    expect(gates(state)).toMatchObject({ reason: 'max_drawdown', limit: 1_500, value: 2_000 });
  });
});
