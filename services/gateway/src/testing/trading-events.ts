import type { NatsBus } from '@ballast/bus';
import { type Candle, type FeatureVector, type SignalDecision, Subjects, subject } from '@ballast/contracts';

/**
 * One trade idea as the pipeline would put it on the bus, built on a recorded candle: the agents'
 * decision, the entry order and its fill, the position and its verified stop, all under the
 * decision's correlation id (later messages are `causedBy` the decision, as the services do).
 */
export async function publishTradeIdea(bus: NatsBus, candle: Candle) {
  const entry = candle.close;
  // Six significant digits, as a venue's tick keeps them: a coin quoted at 0.0037 has a stop, not 0.00.
  const stop = Number((entry * 0.98).toPrecision(6));
  const tp = Number((entry * 1.04).toPrecision(6));
  const decision: SignalDecision = {
    candidate: {
      id: `cand-${candle.openTime}`,
      strategy: 'trend_pullback',
      setup: 'ema_pullback',
      exchange: candle.exchange,
      symbol: candle.symbol,
      timeframe: candle.timeframe,
      side: 'long',
      entry,
      stop,
      takeProfits: [tp],
      confidence: 0.7,
      rank: 1,
      rationale: 'pullback to the 21 EMA in an uptrend',
      veto: null,
    },
    analyst: {
      setup: 'ema_pullback',
      trend: 'up',
      strength: 64,
      entryLow: entry * 0.999,
      entryHigh: entry * 1.001,
      stop,
      takeProfit: tp,
      confidence: 0.7,
      reasoning: 'Analyst: higher lows on the 4h with the pullback holding the 21 EMA.',
      meta: { provider: 'anthropic', model: 'claude-test', fallbackUsed: false, auditId: null },
    },
    reviewer: {
      approve: true,
      sizeMultiplier: 0.8,
      reasons: ['Reviewer: risk acceptable, funding neutral; trimmed size for the nearby resistance.'],
      meta: { provider: 'gemini', model: 'gemini-test', fallbackUsed: false, auditId: null },
    },
    approved: true,
    sizeMultiplier: 0.8,
  };
  const decided = await bus.publish(subject(Subjects.signalDecision, {}), decision);
  const qty = 0.01;
  const fill = {
    tradeId: `t-${candle.openTime}`,
    price: entry,
    qty,
    fee: entry * qty * 0.001,
    feeAsset: 'USDT',
    liquidity: 'taker' as const,
    time: candle.closeTime,
  };
  await bus.publish(
    subject(Subjects.orderEvent, {}),
    {
      status: 'filled',
      intentId: `intent-${candle.openTime}`,
      clientOrderId: `bl-${candle.openTime}-0`,
      venueOrderId: `v-${candle.openTime}`,
      exchange: candle.exchange,
      symbol: candle.symbol,
      side: 'buy',
      type: 'market',
      qty,
      filledQty: qty,
      avgPrice: entry,
      fill,
      reason: null,
      detail: null,
    },
    { causedBy: decided },
  );
  const positionId = `pos-${candle.openTime}`;
  await bus.publish(
    subject(Subjects.positionEvent, {}),
    {
      status: 'opened',
      positionId,
      strategy: 'trend_pullback',
      exchange: candle.exchange,
      symbol: candle.symbol,
      side: 'long',
      qty,
      avgEntry: entry,
      realizedPnl: 0,
      fees: fill.fee,
    },
    { causedBy: decided },
  );
  for (const kind of ['placed', 'verified'] as const)
    await bus.publish(
      subject(Subjects.stopEvent, {}),
      {
        kind,
        positionId,
        exchange: candle.exchange,
        symbol: candle.symbol,
        stopPrice: stop,
        qty,
        clientOrderId: `bl-${candle.openTime}-s`,
        detail: kind,
      },
      { causedBy: decided },
    );
  return { decided, decision, positionId, entry, stop, tp, qty, fill };
}

/** A trade print at `price` on the candle's market, as market-data publishes it. */
export function publishPrice(bus: NatsBus, candle: Candle, price: number, time: number) {
  return bus.publish(subject(Subjects.trade, { exchange: candle.exchange, symbol: candle.symbol }), {
    exchange: candle.exchange,
    symbol: candle.symbol,
    tradeId: `p-${time}`,
    price,
    size: 0.05,
    side: 'buy',
    time,
  });
}

/** Closed candles as market-data publishes them. */
export async function publishCandles(bus: NatsBus, candles: readonly Candle[]): Promise<void> {
  for (const c of candles)
    await bus.publish(
      subject(Subjects.candle, { exchange: c.exchange, symbol: c.symbol, timeframe: c.timeframe }),
      c,
    );
}

/**
 * A feature vector on the candle's series as the features service publishes it; the levels are the
 * candle's own low and high, so support and resistance sit where the chart can show them.
 */
export function publishFeatures(bus: NatsBus, candle: Candle) {
  const features: FeatureVector = {
    exchange: candle.exchange,
    symbol: candle.symbol,
    timeframe: candle.timeframe,
    openTime: candle.openTime,
    close: candle.close,
    indicators: { ema21: candle.close },
    regime: 'trending',
    volatility: { ratio: 1, level: 'normal', positionScale: 1, stopMultiplier: 1 },
    support: [candle.low],
    resistance: [candle.high],
    higherTimeframe: null,
  };
  return bus
    .publish(
      subject(Subjects.features, {
        exchange: candle.exchange,
        symbol: candle.symbol,
        timeframe: candle.timeframe,
      }),
      features,
    )
    .then(() => features);
}
