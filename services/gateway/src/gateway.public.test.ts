import { ClosedTradeRepository } from '@ballast/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, login, PASSWORDS, recordedBtcCandles, startHarness } from './testing/harness';

const DAY = 86_400_000;
let open: Harness;
let closed: Harness;

beforeAll(async () => {
  [open, closed] = await Promise.all([
    startHarness('gw_public', { GATEWAY_PUBLIC_RESULTS: 'true' }),
    startHarness('gw_private'),
  ]);
}, 180_000);

afterAll(async () => {
  await Promise.all([open?.close(), closed?.close()]);
});

/**
 * Closed trades made from recorded BTC 4h candles: long 0.05 from one close to the next, 0.1% fee a
 * side, two trades closing every UTC day over the ten days before today (losing days among them). None
 * closes today: at 00:35 UTC a trade at 01:01 would lie in the future, which the results leave out.
 */
function tradesFromCandles(now: number) {
  const candles = recordedBtcCandles(21);
  const today = Math.floor(now / DAY) * DAY;
  return candles.slice(1).map((c, i) => {
    const entry = candles[i]?.close as number;
    const qty = 0.05;
    const fees = (entry + c.close) * qty * 0.001;
    return {
      tradeKey: `pos-${c.openTime}`,
      strategy: i % 3 === 0 ? 'mean_reversion' : 'trend_pullback',
      exchange: 'binance',
      symbol: c.symbol,
      pnl: (c.close - entry) * qty - fees,
      fees,
      closeTime: today - (10 - Math.floor(i / 2)) * DAY + (i % 2) * 3_600_000 + 60_000,
    };
  });
}

type Trade = ReturnType<typeof tradesFromCandles>[number];

/** The figures written out again from the trade list, apart from the gateway's code. */
function recompute(trades: Trade[], now: number) {
  const byDay = new Map<string, number>();
  const first = Math.min(...trades.map((t) => t.closeTime));
  for (let d = Math.floor(first / DAY) * DAY; d <= now; d += DAY)
    byDay.set(new Date(d).toISOString().slice(0, 10), 0);
  for (const t of trades) {
    const key = new Date(t.closeTime).toISOString().slice(0, 10);
    byDay.set(key, (byDay.get(key) ?? 0) + t.pnl);
  }
  const days = [...byDay.values()];
  const m = days.reduce((s, x) => s + x, 0) / days.length;
  const sd = Math.sqrt(days.reduce((s, x) => s + (x - m) ** 2, 0) / (days.length - 1));
  let cum = 0;
  let peak = 0;
  let dd = 0;
  for (const t of [...trades].sort((a, b) => a.closeTime - b.closeTime)) {
    cum += t.pnl;
    peak = Math.max(peak, cum);
    dd = Math.max(dd, peak - cum);
  }
  const wins = trades.filter((t) => t.pnl > 0);
  const grossWin = wins.reduce((s, t) => s + t.pnl, 0);
  const grossLoss = -trades.filter((t) => t.pnl < 0).reduce((s, t) => s + t.pnl, 0);
  return {
    byDay,
    net: cum,
    fees: trades.reduce((s, t) => s + t.fees, 0),
    winRate: wins.length / trades.length,
    profitFactor: grossWin / grossLoss,
    maxDrawdown: dd,
    sharpe: (m / sd) * Math.sqrt(365.25),
    losingDays: days.filter((d) => d < 0).length,
    winningDays: days.filter((d) => d > 0).length,
  };
}

describe('public results', () => {
  it('publishes, without login, figures equal to a recomputation from the trades, losing days included', async () => {
    const now = Date.now();
    const trades = tradesFromCandles(now);
    const repo = new ClosedTradeRepository(open.db);
    for (const t of trades) await repo.record(t);
    const res = await fetch(`${open.gateway.url}/api/public/results`);
    expect(res.status).toBe(200);
    const text = await res.text();
    const r = JSON.parse(text);
    const want = recompute(trades, r.computedAt);
    expect(r.computedAt).toBeGreaterThanOrEqual(now);
    expect(want.losingDays).toBeGreaterThan(0);
    expect(
      r.daily.map((d: { day: number; pnl: number }) => new Date(d.day).toISOString().slice(0, 10)),
    ).toEqual([...want.byDay.keys()]);
    for (const d of r.daily)
      expect(d.pnl).toBeCloseTo(want.byDay.get(new Date(d.day).toISOString().slice(0, 10)) ?? NaN, 9);
    expect(r.metrics.trades).toBe(trades.length);
    expect(r.metrics.net_pnl).toBeCloseTo(want.net, 9);
    expect(r.metrics.fees).toBeCloseTo(want.fees, 9);
    expect(r.metrics.win_rate).toBeCloseTo(want.winRate, 12);
    expect(r.metrics.profit_factor).toBeCloseTo(want.profitFactor, 9);
    expect(r.metrics.max_drawdown).toBeCloseTo(want.maxDrawdown, 9);
    expect(r.metrics.sharpe).toBeCloseTo(want.sharpe, 9);
    expect(r.metrics.losing_days).toBe(want.losingDays);
    expect(r.metrics.winning_days).toBe(want.winningDays);
    expect(r.curve.at(-1).pnl).toBeCloseTo(want.net, 9);
    expect(r.trades).toHaveLength(trades.length);
    // Nothing that identifies the account: no trade keys, venue, balances or equity.
    for (const secret of ['pos-', 'binance', 'equity', 'balance', 'tradeKey', 'initial'])
      expect(text.includes(secret), secret).toBe(false);

    const page = await fetch(`${open.gateway.url}/public`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
  });

  it('is 404, page and API, when not opted in — logged in or not', async () => {
    expect((await fetch(`${closed.gateway.url}/public`)).status).toBe(404);
    expect((await fetch(`${closed.gateway.url}/api/public/results`)).status).toBe(404);
    const viewer = await login(closed.gateway.url, 'victor', PASSWORDS.view);
    const res = await fetch(`${closed.gateway.url}/api/public/results`, {
      headers: { cookie: viewer.cookie },
    });
    expect(res.status).toBe(404);
  });
});
