import { nextWeeklyRun, SUNDAY_EVENING_UTC } from '@ballast/core';
import { ClosedTradeRepository } from '@ballast/db';
import { waitFor } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FALLING, RISING } from './chart/equity-chart';
import { ALLOWED, type Harness, startHarness } from './testing/harness';
import { countColor, readPng } from './testing/png-reader';
import { recordedRoundTrips } from './testing/seed-trades';

const DAY_MS = 86_400_000;
const INITIAL = 25_000;
/**
 * The report of Sunday 2026-11-08 18:00 UTC, and 30 round trips 8 h apart before it (ten days: 21 in
 * the week; the month began 18 h before the week, so month to date holds 24, and 6 came before it).
 */
const REPORT_AT = Date.UTC(2026, 10, 8, 18);
const trades = recordedRoundTrips(30, REPORT_AT - 3_600_000, 8);
/**
 * The bot's clock runs from the Wednesday after: its own weekly job is due days away, so it cannot
 * send a report of its own during the test, as the wall clock let it on a Sunday just before 18:00.
 */
const offset = nextWeeklyRun(REPORT_AT, SUNDAY_EVENING_UTC) - 4 * DAY_MS - Date.now();
const clock = { now: () => Date.now() + offset };

let h: Harness;

beforeAll(async () => {
  h = await startHarness('tg-weekly', {
    clock,
    env: { TELEGRAM_INITIAL_EQUITY: String(INITIAL) },
    seed: async (db) => {
      const repo = new ClosedTradeRepository(db);
      for (const t of trades) await repo.record(t);
    },
  });
}, 60_000);

afterAll(async () => {
  await h?.close();
});

const money = (n: number) => `${n < 0 ? '-' : '+'}${Math.abs(n).toFixed(2)}`;
const percent = (n: number) => `${n >= 0 ? '+' : ''}${n.toFixed(2)}%`;

/** The report's figures recomputed by hand from the trade list. */
function expectedFigures() {
  const from = REPORT_AT - 7 * DAY_MS;
  const before = trades.filter((t) => t.closeTime < from).reduce((s, t) => s + t.pnl, 0);
  const week = trades.filter((t) => t.closeTime >= from && t.closeTime < REPORT_AT);
  const pnl = week.reduce((s, t) => s + t.pnl, 0);
  const fees = week.reduce((s, t) => s + t.fees, 0);
  const d = new Date(REPORT_AT);
  const monthStart = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  const beforeMonth = trades.filter((t) => t.closeTime < monthStart).reduce((s, t) => s + t.pnl, 0);
  const month = trades.filter((t) => t.closeTime >= monthStart && t.closeTime < REPORT_AT);
  const monthPnl = month.reduce((s, t) => s + t.pnl, 0);
  const bySymbol = new Map<string, number>();
  for (const t of week) bySymbol.set(t.symbol, (bySymbol.get(t.symbol) ?? 0) + t.pnl);
  const ranked = [...bySymbol].sort((a, b) => b[1] - a[1]);
  let equity = INITIAL + before;
  let peak = equity;
  let drawdown = 0;
  for (const t of [...week].sort((a, b) => a.closeTime - b.closeTime)) {
    equity += t.pnl;
    peak = Math.max(peak, equity);
    drawdown = Math.max(drawdown, ((peak - equity) / peak) * 100);
  }
  return {
    week: `Week: ${money(pnl)} (${percent((pnl / (INITIAL + before)) * 100)}), ${week.length} trade(s), ${week.filter((t) => t.pnl > 0).length} winning`,
    month: `Month to date: ${money(monthPnl)} (${percent((monthPnl / (INITIAL + beforeMonth)) * 100)})`,
    fees: `Fees: ${fees.toFixed(2)}`,
    drawdown: `Max drawdown: ${drawdown.toFixed(2)}%`,
    symbols: `Best symbol: ${ranked[0]?.[0]} ${money(ranked[0]?.[1] ?? 0)}; worst: ${ranked.at(-1)?.[0]} ${money(ranked.at(-1)?.[1] ?? 0)}`,
    equity: `Equity now: ${(INITIAL + trades.reduce((s, t) => s + t.pnl, 0)).toFixed(2)}`,
    rising: pnlOverChart() >= 0,
  };
}

/** The chart covers 30 days: all of these trades. */
const pnlOverChart = () => trades.reduce((s, t) => s + t.pnl, 0);

describe('the weekly report', () => {
  it('sends every allowed chat an equity chart with figures equal to those recomputed from the trades', async () => {
    await h.telegram.sendWeeklyReport(REPORT_AT);
    for (const chat of ALLOWED)
      await waitFor(() => h.api.sent('sendPhoto', chat).length === 1, `the photo to ${chat}`);
    const call = h.api.sent('sendPhoto', ALLOWED[0])[0];
    const caption = String(call?.params.caption);
    const expected = expectedFigures();
    for (const line of [
      expected.week,
      expected.month,
      expected.fees,
      expected.drawdown,
      expected.symbols,
      expected.equity,
    ])
      expect(caption).toContain(line);
    expect(caption).toMatch(
      /^Best strategy: (breakout|trend_pullback) [+-]\d+\.\d\d; worst: (breakout|trend_pullback) /m,
    );

    const photo = call?.files.photo;
    expect(photo?.filename).toBe('equity.png');
    const png = readPng(photo?.data as Buffer);
    expect(png).toMatchObject({ width: 640, height: 320, bitDepth: 8, colorType: 2 });
    expect(countColor(png, expected.rising ? RISING : FALLING)).toBeGreaterThan(500);
  });
});
