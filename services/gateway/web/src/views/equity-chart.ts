import { AreaSeries, createChart, type IChartApi, type ISeriesApi } from 'lightweight-charts';
import { h } from '../dom';
import { CHART_THEME } from './chart-theme';
import { sec } from './chart-time';

export interface EquityPoint {
  time: number;
  equity: number;
}

/** An equity curve as an area chart; kept across refreshes. Points in the same second keep the last. */
export class EquityChart {
  readonly element: HTMLElement;
  private chart: IChartApi | undefined;
  private series: ISeriesApi<'Area'> | undefined;

  constructor(testId: string) {
    this.element = h('div', { class: 'chart small', 'data-testid': testId });
  }

  update(points: readonly EquityPoint[]): void {
    if (!this.chart) {
      this.chart = createChart(this.element, CHART_THEME);
      this.series = this.chart.addSeries(AreaSeries, { lineColor: '#1b6fd0', lineWidth: 2 });
    }
    const bySecond = new Map<number, number>();
    for (const p of points) bySecond.set(sec(p.time), p.equity);
    this.series?.setData(
      [...bySecond].sort((a, b) => a[0] - b[0]).map(([time, value]) => ({ time: time as never, value })),
    );
    this.element.dataset.points = String(bySecond.size);
  }
}
