import { randomUUID } from 'node:crypto';
import { type Candle, Subjects, subject } from '@ballast/contracts';
import { equityBaselineKey, utcDayStart } from '@ballast/core';
import { AgentCallRepository, BotStateRepository, ClosedTradeRepository } from '@ballast/db';
import { SystemClock } from '@ballast/service-kit';
import { waitFor } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Harness,
  type Login,
  login,
  PASSWORDS,
  recordedBtcCandles,
  startHarness,
} from './testing/harness';
import { publishCandles, publishFeatures, publishPrice, publishTradeIdea } from './testing/trading-events';

let h: Harness;
let viewer: Login;
// biome-ignore lint/suspicious/noExplicitAny: JSON answers checked field by field below
const get = async (path: string): Promise<any> =>
  (await fetch(`${h.gateway.url}${path}`, { headers: { cookie: viewer.cookie } })).json();

beforeAll(async () => {
  h = await startHarness('gw_read');
  viewer = await login(h.gateway.url, 'victor', PASSWORDS.view);
}, 120_000);

afterAll(async () => {
  await h?.close();
});

describe('gateway read API', () => {
  it('values an open position at the last trade price, with its verified stop and take-profit', async () => {
    const [candle, next] = recordedBtcCandles(2) as [Candle, Candle];
    const idea = await publishTradeIdea(h.publisher, candle);
    await publishPrice(h.publisher, candle, next.close, next.closeTime);
    const [position] = await waitFor(
      async () => {
        const list = await get('/api/positions');
        return list.length === 1 && list[0].lastPrice === next.close && list[0].stopVerified
          ? list
          : undefined;
      },
      'the position priced at the next close',
      { timeoutMs: 20_000 },
    );
    expect(position).toMatchObject({
      positionId: idea.positionId,
      side: 'long',
      qty: idea.qty,
      avgEntry: idea.entry,
      // The mark says when it was printed: a recorded close from years ago is not a price of now.
      lastPriceTime: next.closeTime,
      stopPrice: idea.stop,
      stopVerified: true,
      takeProfits: [idea.tp],
      correlationId: idea.decided.correlationId,
    });
    expect(position.unrealizedPnl).toBeCloseTo((next.close - candle.close) * idea.qty, 8);

    const stream = new AbortController();
    const events = await fetch(`${h.gateway.url}/api/events`, {
      headers: { cookie: viewer.cookie },
      signal: stream.signal,
    });
    expect(events.headers.get('content-type')).toBe('text/event-stream');
    const reader = (events.body as ReadableStream<Uint8Array>).getReader();
    let text = '';
    await publishPrice(h.publisher, candle, next.high, next.closeTime + 1);
    await waitFor(
      async () => {
        text += new TextDecoder().decode((await reader.read()).value);
        return text.includes('event: price');
      },
      'a price event on the stream',
      { timeoutMs: 20_000 },
    );
    expect(text).toContain(`"price":${next.high}`);
    stream.abort();
  });

  it('links a decision to both agents’ audited calls, its orders and its fills', async () => {
    const candle = recordedBtcCandles(3)[2] as Candle;
    const idea = await publishTradeIdea(h.publisher, candle);
    const repo = new AgentCallRepository(h.db);
    for (const [agent, provider, text] of [
      ['analyst', 'anthropic', idea.decision.analyst?.reasoning],
      ['reviewer', 'gemini', idea.decision.reviewer?.reasons[0]],
    ] as const)
      await repo.record({
        id: randomUUID(),
        agent,
        provider,
        model: `${provider}-model`,
        prompt: 'prompt',
        promptSha256: 'sha',
        rawResponse: text ?? null,
        verdict: agent === 'analyst' ? idea.decision.analyst : idea.decision.reviewer,
        latencyMs: 850,
        tokensIn: 1200,
        tokensOut: 180,
        costUsd: 0.004,
        correlationId: idea.decided.correlationId,
        fallbackUsed: false,
        errorReason: null,
        createdAt: Date.now(),
      });
    const detail = await waitFor(
      async () => {
        const d = await get(`/api/decisions/${idea.decided.id}`);
        return d.fills?.length === 1 ? d : undefined;
      },
      'the decision with its fill',
      { timeoutMs: 20_000 },
    );
    expect(detail.decision.analyst.reasoning).toBe(idea.decision.analyst?.reasoning);
    expect(detail.decision.reviewer.reasons).toEqual(idea.decision.reviewer?.reasons);
    expect(detail.agentCalls.map((c: { agent: string }) => c.agent).sort()).toEqual(['analyst', 'reviewer']);
    expect(detail.orders).toHaveLength(1);
    expect(detail.fills[0]).toMatchObject({
      tradeId: idea.fill.tradeId,
      fee: idea.fill.fee,
      correlationId: idea.decided.correlationId,
    });
  });

  it('charts a market: recorded candles, EMA and Bollinger overlays, S/R from the features, our entry and stop', async () => {
    const candles = recordedBtcCandles(60).slice(10);
    await publishCandles(h.publisher, candles);
    const last = candles.at(-1) as Candle;
    const key = `${last.exchange}:${last.symbol}:${last.timeframe}`;
    const features = await waitFor(
      async () => ((await get('/api/markets')).includes(key) ? true : undefined),
      'the series on the bus',
      { timeoutMs: 20_000 },
    ).then(() => publishFeatures(h.publisher, last));
    const idea = await publishTradeIdea(h.publisher, last);
    const series = encodeURIComponent(key);
    const chart = await waitFor(
      async () => {
        const c = await get(`/api/market?series=${series}`);
        const ours = c.markers?.filter((m: { price: number }) => m.price === idea.entry) ?? [];
        return c.candles.length >= candles.length &&
          c.support.length > 0 &&
          ours.length > 0 &&
          // This idea's stop verified (its `placed` may be shown first; other positions' stops are there).
          c.stops.some(
            (st: { positionId: string; verified: boolean }) =>
              st.positionId === idea.positionId && st.verified,
          )
          ? c
          : undefined;
      },
      'the chart with levels and our entry',
      { timeoutMs: 30_000 },
    );
    expect(chart.candles.at(-1)).toMatchObject({ openTime: last.openTime, close: last.close });
    expect(chart.emas.map((e: { period: number }) => e.period)).toEqual([21, 50]);
    expect(chart.bollinger.at(-1).time).toBe(last.openTime);
    expect(chart).toMatchObject({
      support: features.support,
      resistance: features.resistance,
      regime: 'trending',
    });
    expect(chart.markers).toContainEqual({
      time: idea.fill.time,
      price: idea.entry,
      kind: 'entry',
      side: 'buy',
      label: `entry buy ${idea.qty}`,
    });
    expect(chart.stops).toContainEqual({ positionId: idea.positionId, price: idea.stop, verified: true });
  });

  it('totals closed trades per strategy and per symbol with their fees', async () => {
    const repo = new ClosedTradeRepository(h.db);
    const trades = [
      {
        tradeKey: 'k1',
        strategy: 'trend_pullback',
        exchange: 'binance',
        symbol: 'BTC/USDT',
        pnl: 12.5,
        fees: 0.5,
        closeTime: 1_700_000_000_000,
      },
      {
        tradeKey: 'k2',
        strategy: 'trend_pullback',
        exchange: 'binance',
        symbol: 'ETH/USDT',
        pnl: -4.25,
        fees: 0.25,
        closeTime: 1_700_100_000_000,
      },
      {
        tradeKey: 'k3',
        strategy: 'mean_revert',
        exchange: 'binance',
        symbol: 'ETH/USDT',
        pnl: -1,
        fees: 0.125,
        closeTime: 1_700_200_000_000,
      },
    ];
    for (const t of trades) await repo.record(t);
    const totals = await get('/api/pnl/totals');
    expect(totals.byStrategy).toEqual([
      { key: 'trend_pullback', trades: 2, wins: 1, pnl: 8.25, fees: 0.75, expectancy: 4.125 },
      { key: 'mean_revert', trades: 1, wins: 0, pnl: -1, fees: 0.125, expectancy: -1 },
    ]);
    expect(totals.bySymbol.map((g: { key: string; pnl: number }) => [g.key, g.pnl])).toEqual([
      ['BTC/USDT', 12.5],
      ['ETH/USDT', -5.25],
    ]);
    const weeks = await get('/api/pnl?period=week');
    expect(weeks.reduce((s: number, w: { fees: number }) => s + w.fees, 0)).toBe(0.875);
    expect((await get('/api/trades')).map((t: { fees: number }) => t.fees)).toEqual([0.5, 0.25, 0.125]);
  });

  it("keeps a position's stop shown when an earlier stop of its slot is cancelled late", async () => {
    const candle = recordedBtcCandles(80)[79] as Candle;
    const idea = await publishTradeIdea(h.publisher, candle);
    const stop = (positionId: string, kind: 'cancelled' | 'verified', clientOrderId: string) =>
      h.publisher.publish(subject(Subjects.stopEvent, {}), {
        kind,
        positionId,
        exchange: candle.exchange,
        symbol: candle.symbol,
        stopPrice: idea.stop - 100,
        qty: 0,
        clientOrderId,
        detail: kind,
      });
    // The slot's previous stop, whose cancel had failed, is cancelled now under its own id; then a
    // marker on the same consumer: once the marker shows, the cancel has been applied.
    await stop(idea.positionId, 'cancelled', 'bl-earlier-s');
    await stop(`${candle.exchange}:marker`, 'verified', 'bl-marker-s');
    const series = encodeURIComponent(`${candle.exchange}:${candle.symbol}:${candle.timeframe}`);
    await waitFor(
      async () =>
        (await get(`/api/market?series=${series}`)).stops?.some(
          (s: { positionId: string }) => s.positionId === `${candle.exchange}:marker`,
        ) || undefined,
      'the marker stop shown',
      { timeoutMs: 20_000 },
    );
    const position = (await get('/api/positions')).find(
      (p: { positionId: string }) => p.positionId === idea.positionId,
    );
    expect(position).toMatchObject({ stopPrice: idea.stop, stopVerified: true });
  });

  it("shows today's P&L and daily-loss headroom as risk measures them: from each account's start of the UTC day", async () => {
    // An open position already down on earlier days: its loss before today is not today's.
    const [candle, next] = recordedBtcCandles(2) as [Candle, Candle];
    const idea = await publishTradeIdea(h.publisher, candle);
    await publishPrice(h.publisher, candle, candle.close - 1_000, next.closeTime);
    await waitFor(
      async () => {
        const list = await get('/api/positions');
        return (
          list.some(
            (p: { positionId: string; unrealizedPnl: number | null }) =>
              p.positionId === idea.positionId && p.unrealizedPnl !== null && p.unrealizedPnl < 0,
          ) || undefined
        );
      },
      'the position marked at a loss',
      { timeoutMs: 20_000 },
    );
    const state = new BotStateRepository(h.db, new SystemClock());
    const day = utcDayStart(Date.now());
    const baseline = { peakEquity: 12_000, day, drawdownHalt: null };
    // Risk's own accounts: one 300 down since the day began, one halted (the halt latched at 260 lost).
    await state.set(equityBaselineKey('binance'), {
      ...baseline,
      equity: 9_700,
      dayStartEquity: 10_000,
      dailyLossHalt: null,
    });
    const risk = await get('/api/risk');
    const { limits } = risk;
    expect(risk).toMatchObject({
      dailyPnl: -300,
      dailyLossLimit: limits.dailyLoss * 10_000,
      dailyLossHeadroom: limits.dailyLoss * 10_000 - 300,
    });
    expect(risk.halts).not.toContain('daily loss limit reached');
    expect((await get('/api/equity')).todayPnl).toBe(-300);

    await state.set(equityBaselineKey('bybit'), {
      ...baseline,
      equity: 4_900,
      dayStartEquity: 5_000,
      dailyLossHalt: { limit: 250, value: 260, at: day + 1_000 },
    });
    const halted = await get('/api/risk');
    expect(halted).toMatchObject({
      dailyPnl: -400,
      dailyLossLimit: limits.dailyLoss * 15_000,
      dailyLossHeadroom: 0,
    });
    expect(halted.halts).toContain('daily loss limit reached');
  });

  it('shows the drawdown and its halt as risk enforces them: from the peak each account stores, latched until a resume', async () => {
    const state = new BotStateRepository(h.db, new SystemClock());
    const day = { day: utcDayStart(Date.now()), dailyLossHalt: null };
    // Resumed after a drawdown halt at 9 000: the peak is that equity again, whatever the configured one was.
    await state.set(equityBaselineKey('binance'), {
      ...day,
      equity: 9_000,
      peakEquity: 9_000,
      dayStartEquity: 9_000,
      drawdownHalt: null,
    });
    // An account whose real equity is not the configured one: 50 below its 5 000 peak is 1 %.
    await state.set(equityBaselineKey('bybit'), {
      ...day,
      equity: 4_950,
      peakEquity: 5_000,
      dayStartEquity: 4_950,
      drawdownHalt: null,
    });
    const risk = await get('/api/risk');
    expect(risk.drawdownPct).toBeCloseTo(1, 9);
    expect(risk.halts).not.toContain('maximum drawdown reached');
    expect((await get('/api/equity')).drawdownPct).toBeCloseTo(1, 9);

    // Risk latched the halt when that account was 16 % down; it has come back since but stays halted until a resume.
    await state.set(equityBaselineKey('bybit'), {
      ...day,
      equity: 4_950,
      peakEquity: 5_000,
      dayStartEquity: 4_950,
      drawdownHalt: { limit: 750, value: 800, at: day.day + 1_000 },
    });
    const halted = await get('/api/risk');
    expect(halted.drawdownPct).toBeCloseTo(1, 9);
    expect(halted.halts).toContain('maximum drawdown reached');
  });
  it("shows equity and the exposure headroom as risk judges them: each account's positions against its own stored equity", async () => {
    const state = new BotStateRepository(h.db, new SystemClock());
    const day = { day: utcDayStart(Date.now()), dailyLossHalt: null, drawdownHalt: null };
    // Real equities far from the configured one: 20 000 on binance, where the positions are; 4 000 on bybit.
    await state.set(equityBaselineKey('binance'), {
      ...day,
      equity: 20_000,
      peakEquity: 20_000,
      dayStartEquity: 20_000,
    });
    await state.set(equityBaselineKey('bybit'), {
      ...day,
      equity: 4_000,
      peakEquity: 4_000,
      dayStartEquity: 4_000,
    });
    const risk = await get('/api/risk');
    const positions: Array<{ exchange: string; qty: number; avgEntry: number; lastPrice: number | null }> =
      await get('/api/positions');
    const onBinance = positions
      .filter((p) => p.exchange === 'binance')
      .reduce((sum, p) => sum + p.qty * (p.lastPrice ?? p.avgEntry), 0);
    expect(onBinance).toBeGreaterThan(0);
    expect(positions.every((p) => p.exchange === 'binance')).toBe(true);
    const { maxExposure } = risk.limits;
    expect(risk.equity).toBe(24_000);
    expect(risk.exposure).toBeCloseTo(onBinance, 9);
    expect(risk.exposureLimit).toBeCloseTo(maxExposure * 24_000, 9);
    // What may still be added before the first account refuses: bybit's whole limit, or binance's rest.
    expect(risk.exposureHeadroom).toBeCloseTo(
      Math.min(maxExposure * 20_000 - onBinance, maxExposure * 4_000),
      9,
    );
  });
});
