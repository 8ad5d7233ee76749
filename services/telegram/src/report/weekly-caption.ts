import type { Ranked, WeeklyReport } from '@ballast/core';
import { pct, signed, utc } from '../state/format';

const rank = (r: Ranked | undefined) => (r ? `${r.name} ${signed(r.pnl)}` : 'none');

/** The weekly report as text: the figures an operator checks, the image carries the curve. */
export function weeklyCaption(r: WeeklyReport): string {
  const best = (list: Ranked[]) => rank(list[0]);
  const worst = (list: Ranked[]) => rank(list.length > 1 ? list.at(-1) : undefined);
  return [
    `Weekly P&L report, ${utc(r.week.from)} to ${utc(r.week.to)} UTC`,
    `Week: ${signed(r.week.pnl)} (${pct(r.week.returnPct)}), ${r.week.trades} trade(s), ${r.week.wins} winning`,
    `Month to date: ${signed(r.monthToDate.pnl)} (${pct(r.monthToDate.returnPct)})`,
    `Fees: ${r.week.fees.toFixed(2)}`,
    `Max drawdown: ${r.maxDrawdownPct.toFixed(2)}%`,
    `Best symbol: ${best(r.symbols)}; worst: ${worst(r.symbols)}`,
    `Best strategy: ${best(r.strategies)}; worst: ${worst(r.strategies)}`,
    `Equity now: ${(r.equity.at(-1)?.equity ?? 0).toFixed(2)}`,
  ].join('\n');
}
