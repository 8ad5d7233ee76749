import { describe, expect, it } from 'vitest';
import { type Notice, NoticeBatcher } from './notice-batcher';
import { type LedgerTrade, periodStart, pnlBetween } from './period-pnl';
import { weeklyReport } from './weekly-report';
import { nextWeeklyRun } from './weekly-schedule';

const T0 = Date.UTC(2024, 0, 7, 12); // Sunday 2024-01-07 12:00 UTC
const notice = (at: number, kind = 'stale feed', severity: Notice['severity'] = 'warning'): Notice => ({
  kind,
  severity,
  text: `${kind} at ${at}`,
  at,
});

describe('NoticeBatcher', () => {
  it('sends a lone notice after the window, as itself', () => {
    const b = new NoticeBatcher({ windowMs: 5_000, maxMessagesPerMinute: 10, maxLines: 3 });
    b.push(notice(T0));
    expect(b.take(T0 + 4_999)).toBeNull();
    expect(b.take(T0 + 5_000)).toBe(`⚠️ stale feed at ${T0}`);
    expect(b.dueAt()).toBeNull();
  });

  it('turns a storm into one message, critical lines first, the rest counted', () => {
    const b = new NoticeBatcher({ windowMs: 5_000, maxMessagesPerMinute: 10, maxLines: 3 });
    for (let i = 0; i < 100; i++) b.push(notice(T0 + i));
    b.push(notice(T0 + 200, 'kill switch', 'critical'));
    const message = b.take(T0 + 200);
    expect(message?.split('\n')).toEqual([
      '101 alerts (100 stale feed, 1 kill switch)',
      `🚨 kill switch at ${T0 + 200}`,
      `⚠️ stale feed at ${T0}`,
      `⚠️ stale feed at ${T0 + 1}`,
      '+98 more',
    ]);
    expect(b.take(T0 + 10_000)).toBeNull();
  });

  it('holds notices beyond the per-minute budget and sends them together once it frees', () => {
    const b = new NoticeBatcher({ windowMs: 0, maxMessagesPerMinute: 2, maxLines: 10 });
    const sent: string[] = [];
    for (let i = 0; i < 5; i++) {
      b.push(notice(T0 + i * 1000, 'entry', 'info'));
      const m = b.take(T0 + i * 1000);
      if (m) sent.push(m);
    }
    expect(sent).toHaveLength(2);
    expect(b.dueAt()).toBe(T0 + 60_000);
    expect(b.take(T0 + 59_999)).toBeNull();
    expect(b.take(T0 + 60_000)?.startsWith('3 alerts (3 entry)')).toBe(true);
  });
});

describe('weekly schedule', () => {
  it('runs on the next Sunday at the hour, never at the instant given', () => {
    const sunday18 = Date.UTC(2024, 0, 7, 18);
    expect(nextWeeklyRun(T0, { weekday: 0, hour: 18 })).toBe(sunday18);
    expect(nextWeeklyRun(sunday18, { weekday: 0, hour: 18 })).toBe(sunday18 + 7 * 86_400_000);
    expect(nextWeeklyRun(Date.UTC(2024, 0, 3), { weekday: 1, hour: 9 })).toBe(Date.UTC(2024, 0, 8, 9));
  });
});

const trade = (day: number, symbol: string, strategy: string, pnl: number, fees: number): LedgerTrade => ({
  symbol,
  strategy,
  pnl,
  fees,
  closeTime: Date.UTC(2024, 0, day, 10),
});

describe('period P&L and the weekly report', () => {
  const trades = [
    trade(2, 'BTC/USDT', 'breakout', 100, 2),
    trade(3, 'ETH/USDT', 'mean_revert', -50, 1),
    trade(4, 'BTC/USDT', 'breakout', 200, 2),
    trade(5, 'SOL/USDT', 'mean_revert', -120, 1.5),
    trade(6, 'ETH/USDT', 'breakout', 30, 1),
    trade(20, 'BTC/USDT', 'breakout', 999, 9), // after the report
  ];

  it('periods start on the UTC day, the Monday of the ISO week and the first of the month', () => {
    const t = Date.UTC(2024, 0, 7, 12); // Sunday
    expect(periodStart(t, 'day')).toBe(Date.UTC(2024, 0, 7));
    expect(periodStart(t, 'week')).toBe(Date.UTC(2024, 0, 1));
    expect(periodStart(t, 'month')).toBe(Date.UTC(2024, 0, 1));
  });

  it('sums pnl and fees in the period and returns on the equity it started with', () => {
    const p = pnlBetween(trades, 10_000, Date.UTC(2024, 0, 4), Date.UTC(2024, 0, 7));
    expect(p).toMatchObject({ trades: 3, wins: 2, pnl: 110, fees: 4.5 });
    expect(p.returnPct).toBeCloseTo((110 / 10_050) * 100, 12);
  });

  it('ranks symbols and strategies, and measures drawdown inside the week', () => {
    const now = Date.UTC(2024, 0, 7, 18);
    const r = weeklyReport(trades, 10_000, now);
    expect(r.week).toMatchObject({ trades: 5, pnl: 160, fees: 7.5 });
    expect(r.week.returnPct).toBeCloseTo(1.6, 12);
    expect(r.monthToDate.pnl).toBe(160);
    expect(r.symbols).toEqual([
      { name: 'BTC/USDT', pnl: 300 },
      { name: 'ETH/USDT', pnl: -20 },
      { name: 'SOL/USDT', pnl: -120 },
    ]);
    expect(r.strategies).toEqual([
      { name: 'breakout', pnl: 330 },
      { name: 'mean_revert', pnl: -170 },
    ]);
    // Equity 10,000 → 10,100 → 10,050 → 10,250 → 10,130 → 10,160: worst fall 120 from 10,250.
    expect(r.maxDrawdownPct).toBeCloseTo((120 / 10_250) * 100, 12);
    expect(r.equity.map((p) => p.equity)).toEqual([10_000, 10_100, 10_050, 10_250, 10_130, 10_160]);
  });
});
