import {
  CandlestickSeries,
  createChart,
  createSeriesMarkers,
  type IChartApi,
  type IPriceLine,
  type ISeriesApi,
  type ISeriesMarkersPluginApi,
  LineSeries,
  LineStyle,
  type SeriesMarker,
  type Time,
} from 'lightweight-charts';
import { h, time } from '../dom';
import { type ChartPriceFormat, chartPriceFormat, price } from '../price';
import { CHART_THEME } from './chart-theme';
import { barOf, sec } from './chart-time';
import { type Json, section } from './ui';

const EMA_COLOURS = ['#f0a030', '#4a90e2', '#a070e0'];
const BAND_COLOUR = '#8a8f98';

const MARKER_STYLE: Record<string, Pick<SeriesMarker<Time>, 'shape' | 'color' | 'position'>> = {
  entry: { shape: 'arrowUp', color: '#1b9e5a', position: 'belowBar' },
  exit: { shape: 'arrowDown', color: '#d08a00', position: 'aboveBar' },
  stop: { shape: 'square', color: '#d0342c', position: 'aboveBar' },
  take_profit: { shape: 'circle', color: '#1b6fd0', position: 'aboveBar' },
};

/**
 * The Market view: one series as candles with EMA and Bollinger overlays, support/resistance and
 * stops as price lines, our fills as markers. The chart lives across refreshes (only its data moves).
 */
export class MarketView {
  readonly element: HTMLElement;
  selected: string | undefined;
  private readonly chartBox: HTMLElement;
  private readonly picker: HTMLSelectElement;
  private readonly legend: HTMLElement;
  private chart: IChartApi | undefined;
  private candles: ISeriesApi<'Candlestick'> | undefined;
  private emas: ISeriesApi<'Line'>[] = [];
  private bands: ISeriesApi<'Line'>[] = [];
  private markers: ISeriesMarkersPluginApi<Time> | undefined;
  private lines: IPriceLine[] = [];
  /** The series last fitted to the width; a new series is fitted once, later zooms are the user's. */
  private fitted: string | undefined;

  constructor(private readonly onSelect: () => void) {
    this.picker = h('select', {
      'aria-label': 'market',
      onchange: () => {
        this.selected = this.picker.value;
        this.onSelect();
      },
    }) as HTMLSelectElement;
    this.chartBox = h('div', { class: 'chart', 'data-testid': 'market-chart' });
    this.legend = h('div', { class: 'legend' });
    this.element = section('Market', 'market', this.picker, this.chartBox, this.legend);
  }

  /** The series to fetch: the chosen one, else the first the bus has shown. */
  pick(markets: string[]): string | undefined {
    if (!this.selected || !markets.includes(this.selected)) this.selected = markets[0];
    const current = [...this.picker.options].map((o) => o.value).join();
    if (current !== markets.join())
      this.picker.replaceChildren(...markets.map((m) => h('option', { value: m }, m)));
    if (this.selected) this.picker.value = this.selected;
    return this.selected;
  }

  update(data: Json | undefined): void {
    const empty = !data || data.candles.length === 0;
    this.chartBox.hidden = empty;
    this.picker.hidden = empty;
    if (empty) {
      this.legend.replaceChildren(h('p', {}, 'No candles seen on the bus yet.'));
      return;
    }
    this.ensureChart(data.emas.length);
    const candles = this.candles as ISeriesApi<'Candlestick'>;
    this.formatPrices(chartPriceFormat(data.candles.map((c: Json) => c.low)));
    candles.setData(
      data.candles.map((c: Json) => ({
        time: sec(c.openTime),
        open: c.open,
        high: c.high,
        low: c.low,
        close: c.close,
      })),
    );
    data.emas.forEach((e: Json, i: number) => {
      this.emas[i]?.setData(e.points.map((p: Json) => ({ time: sec(p.time), value: p.value })));
    });
    (['upper', 'middle', 'lower'] as const).forEach((k, i) => {
      this.bands[i]?.setData(data.bollinger.map((b: Json) => ({ time: sec(b.time), value: b[k] })));
    });
    this.drawLevels(data);
    const shown = this.drawMarkers(data);
    if (this.fitted !== data.series) {
      this.chart?.timeScale().fitContent();
      this.fitted = data.series;
    }
    this.chartBox.dataset.markers = String(shown.length);
    this.legend.replaceChildren(...this.legendRows(data, shown));
  }

  private ensureChart(emaCount: number): void {
    if (this.chart) return;
    const chart = createChart(this.chartBox, CHART_THEME);
    this.candles = chart.addSeries(CandlestickSeries, {});
    for (let i = 0; i < emaCount; i++)
      this.emas.push(
        chart.addSeries(LineSeries, { color: EMA_COLOURS[i % EMA_COLOURS.length], lineWidth: 1 }),
      );
    for (const style of [LineStyle.Dashed, LineStyle.Dotted, LineStyle.Dashed])
      this.bands.push(chart.addSeries(LineSeries, { color: BAND_COLOUR, lineWidth: 1, lineStyle: style }));
    this.markers = createSeriesMarkers(this.candles, []);
    this.chart = chart;
  }

  /**
   * Every series' axis and price lines to `format` (chartPriceFormat): the library's default of two
   * decimals reads a low-priced coin's axis as 0.00. The box carries the precision for a test to read.
   */
  private formatPrices(format: ChartPriceFormat): void {
    this.chartBox.dataset.pricePrecision = String(format.precision);
    for (const series of [this.candles, ...this.emas, ...this.bands])
      series?.applyOptions({ priceFormat: format });
  }

  private drawLevels(data: Json): void {
    const candles = this.candles as ISeriesApi<'Candlestick'>;
    for (const line of this.lines.splice(0)) candles.removePriceLine(line);
    const add = (price: number, color: string, title: string, lineStyle: LineStyle) =>
      this.lines.push(candles.createPriceLine({ price, color, title, lineStyle, lineWidth: 1 }));
    for (const p of data.support) add(p, '#1b9e5a', 'S', LineStyle.LargeDashed);
    for (const p of data.resistance) add(p, '#d0342c', 'R', LineStyle.LargeDashed);
    for (const s of data.stops) add(s.price, '#d0342c', s.verified ? 'stop ✓' : 'stop ✗', LineStyle.Solid);
  }

  /** Markers snapped to the bar holding them (the library places markers on bars only). */
  private drawMarkers(data: Json): Json[] {
    const opens = data.candles.map((c: Json) => c.openTime as number);
    const shown = data.markers.filter((m: Json) => barOf(opens, m.time) !== undefined);
    this.markers?.setMarkers(
      shown.map((m: Json) => ({
        time: sec(barOf(opens, m.time) as number),
        text: m.kind.replace('_', ' '),
        ...(MARKER_STYLE[m.kind] ?? MARKER_STYLE.entry),
      })) as SeriesMarker<Time>[],
    );
    return shown;
  }

  private legendRows(data: Json, shown: Json[]): HTMLElement[] {
    const emas = data.emas.map((e: Json, i: number) =>
      h('span', { style: `color:${EMA_COLOURS[i % EMA_COLOURS.length]}` }, `EMA ${e.period}`),
    );
    return [
      h('p', {}, ...emas, h('span', {}, ' Bollinger 20/2'), data.regime ? ` · regime ${data.regime}` : ''),
      h(
        'p',
        { 'data-testid': 'market-levels' },
        `Support ${data.support.map(price).join(', ') || '–'} · Resistance ${data.resistance.map(price).join(', ') || '–'} · Stops ${data.stops.map((s: Json) => price(s.price)).join(', ') || '–'}`,
      ),
      h(
        'ul',
        { 'data-testid': 'market-markers' },
        ...shown.map((m) => h('li', {}, `${time(m.time)} ${m.label} @ ${price(m.price)}`)),
      ),
    ];
  }
}
