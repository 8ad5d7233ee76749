import type { RiskDecision } from '@ballast/contracts';

/** An approved 0.01 BTC market buy on Binance, priced near the recorded 2021-04-04 BTCUSDT book. */
export const approvedBuy = (intentId: string): RiskDecision => ({
  approved: true,
  intent: {
    intentId,
    candidateId: `cand-${intentId}`,
    strategy: 'test',
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
