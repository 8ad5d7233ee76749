import { type BookUpdate, normaliseSymbol, type RiskDecision, type SignalDecision } from '@ballast/contracts';
import { readDataFile } from './data';

interface RestDepth {
  lastUpdateId: number;
  bids: [string, string][];
  asks: [string, string][];
}

const levels = (xs: [string, string][]) => xs.map(([p, q]): [number, number] => [Number(p), Number(q)]);

/**
 * The recorded Binance REST depth (binance-spot-ws/2021-04-04_rest_depth_<PAIR>_limit1000.json) as the
 * snapshot market-data publishes on md.book, stamped `time`. `pair` is the venue's name, e.g. BTCUSDT.
 */
export function recordedDepthSnapshot(pair: string, time: number): BookUpdate {
  const raw = JSON.parse(
    readDataFile(`binance-spot-ws/2021-04-04_rest_depth_${pair}_limit1000.json`),
  ) as RestDepth;
  return {
    exchange: 'binance',
    symbol: normaliseSymbol(pair),
    kind: 'snapshot',
    firstUpdateId: null,
    lastUpdateId: raw.lastUpdateId,
    bids: levels(raw.bids),
    asks: levels(raw.asks),
    time,
  };
}

/**
 * An approved long BTC-USDT decision priced against that recorded book (entry at its best ask 58001.04,
 * stop 1.04% below), as signals would send it to risk.
 */
export function approvedBtcLong(id: string): SignalDecision {
  return {
    candidate: {
      id,
      strategy: 'test',
      setup: 'breakout',
      exchange: 'binance',
      symbol: 'BTC-USDT',
      timeframe: '1h',
      side: 'long',
      entry: 58001.04,
      stop: 57400,
      takeProfits: [59500],
      confidence: 70,
      rank: 1,
      rationale: 'test',
      veto: null,
      regime: 'trending',
    },
    analyst: null,
    reviewer: null,
    approved: true,
    sizeMultiplier: 1,
  };
}

/** Risk's approval of a 0.01 BTC market buy of `strategy` on Binance, priced near the recorded BTCUSDT book. */
export const approvedBuy = (intentId: string, strategy = 'test'): RiskDecision => ({
  approved: true,
  intent: {
    intentId,
    candidateId: `cand-${intentId}`,
    strategy,
    exchange: 'binance',
    symbol: 'BTC-USDT',
    positionSide: 'long',
    side: 'buy',
    qty: 0.01,
    entry: 58001.04,
    stop: 57000,
    takeProfits: [60000],
    riskAmount: 10.01,
  },
});
