import { h, money, time } from '../dom';
import { EquityChart } from './equity-chart';
import { type Json, section, signed, table } from './ui';

const ratio = (v: number | null) => (v === null ? '–' : v.toFixed(2));

const METRICS: Array<[string, (m: Json) => string]> = [
  ['Net P&L', (m) => money(m.net_pnl)],
  ['Trades', (m) => String(m.trades)],
  ['Win rate', (m) => `${(m.win_rate * 100).toFixed(1)}%`],
  ['Expectancy', (m) => money(m.expectancy)],
  ['Profit factor', (m) => ratio(m.profit_factor)],
  ['Avg win', (m) => money(m.avg_win)],
  ['Avg loss', (m) => money(m.avg_loss)],
  ['Fees', (m) => money(m.fees)],
  ['Max drawdown', (m) => money(m.max_drawdown)],
  ['Sharpe (daily P&L)', (m) => ratio(m.sharpe)],
  ['Sortino (daily P&L)', (m) => ratio(m.sortino)],
  ['Winning / losing days', (m) => `${m.winning_days} / ${m.losing_days}`],
];

/** The public results page: no login, read-only, P&L figures only. */
export async function publicPage(root: HTMLElement): Promise<void> {
  const res = await fetch('/api/public/results');
  if (!res.ok) {
    root.replaceChildren(h('p', { class: 'error' }, 'Public results are not published.'));
    return;
  }
  const r: Json = await res.json();
  const curve = new EquityChart('public-curve');
  root.replaceChildren(
    h(
      'header',
      {},
      h('b', {}, 'Ballast: live results'),
      h('small', { 'data-testid': 'public-computed' }, `computed ${time(r.computedAt)} UTC`),
    ),
    section(
      'Headline',
      'public-headline',
      h(
        'div',
        { class: 'metrics', 'data-testid': 'public-metrics' },
        ...METRICS.map(([label, value]) =>
          h('div', { class: 'card' }, label, h('b', { 'data-metric': label }, value(r.metrics))),
        ),
      ),
    ),
    section('Cumulative P&L', 'public-curve-section', curve.element),
    section(
      'Daily P&L',
      'public-daily-section',
      table(
        ['Day', 'Net P&L', 'Fees', 'Trades'],
        [...r.daily]
          .reverse()
          .map((d: Json) => [
            time(d.day).slice(0, 10),
            signed(d.pnl, money(d.pnl)),
            money(d.fees),
            String(d.trades),
          ]),
        'public-daily',
      ),
    ),
    section(
      'Trades',
      'public-trades-section',
      table(
        ['Closed', 'Symbol', 'Strategy', 'Net P&L', 'Fees'],
        [...r.trades]
          .reverse()
          .map((t: Json) => [
            time(t.closeTime),
            t.symbol,
            t.strategy ?? '',
            signed(t.pnl, money(t.pnl)),
            money(t.fees),
          ]),
        'public-trades',
      ),
    ),
  );
  curve.update(r.curve.map((p: Json) => ({ time: p.time, equity: p.pnl })));
}
