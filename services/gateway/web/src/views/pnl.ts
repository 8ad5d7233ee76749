import { h, money, time } from '../dom';
import { EquityChart } from './equity-chart';
import { type Json, section, signed, table } from './ui';

export type Period = 'day' | 'week' | 'month';

const groupTable = (rows: Json[], label: string, testId: string) =>
  table(
    [label, 'Trades', 'Win rate', 'Net P&L', 'Fees', 'Per trade'],
    rows.map((g) => [
      g.key,
      String(g.trades),
      `${((g.wins / g.trades) * 100).toFixed(0)}%`,
      signed(g.pnl, money(g.pnl)),
      money(g.fees),
      money(g.expectancy),
    ]),
    testId,
  );

/** Trades and P&L: the equity curve, P&L per day/week/month, totals per strategy and symbol, the trades. */
export class PnlView {
  period: Period = 'day';
  private readonly equity = new EquityChart('equity-chart');
  private readonly body = h('div', {});
  readonly element: HTMLElement;

  constructor(private readonly onPeriod: () => void) {
    const toggle = h(
      'div',
      { class: 'toggle', role: 'group', 'aria-label': 'P&L period' },
      ...(['day', 'week', 'month'] as const).map((p) =>
        h(
          'button',
          {
            'data-period': p,
            onclick: () => {
              this.period = p;
              this.onPeriod();
            },
          },
          p,
        ),
      ),
    );
    this.element = section('Trades and P&L', 'pnl', this.equity.element, toggle, this.body);
  }

  update(equity: Json, periods: Json[], totals: Json, trades: Json[]): void {
    this.equity.update(equity.curve);
    for (const b of this.element.querySelectorAll<HTMLElement>('[data-period]'))
      b.classList.toggle('active', b.dataset.period === this.period);
    const label = { day: 'Day', week: 'Week of', month: 'Month' }[this.period];
    this.body.replaceChildren(
      table(
        [label, 'Net P&L', 'Fees', 'Trades', 'Wins', 'By strategy'],
        [...periods].reverse().map((d) => [
          time(d.start).slice(0, this.period === 'month' ? 7 : 10),
          signed(d.pnl, money(d.pnl)),
          money(d.fees),
          String(d.trades),
          String(d.wins),
          Object.entries(d.byStrategy)
            .map(([k, v]) => `${k} ${money(v as number)}`)
            .join(', '),
        ]),
        'pnl-table',
      ),
      h('h3', {}, 'Per strategy'),
      groupTable(totals.byStrategy, 'Strategy', 'pnl-strategy'),
      h('h3', {}, 'Per symbol'),
      groupTable(totals.bySymbol, 'Symbol', 'pnl-symbol'),
      h('h3', {}, 'Closed trades'),
      table(
        ['Closed', 'Symbol', 'Strategy', 'Net P&L', 'Fees'],
        [...trades]
          .reverse()
          .slice(0, 200)
          .map((t) => [
            time(t.closeTime),
            t.symbol,
            t.strategy ?? '',
            signed(t.pnl, money(t.pnl)),
            money(t.fees),
          ]),
        'trades-table',
      ),
    );
  }
}
