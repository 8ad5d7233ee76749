import type { BacktestResult } from '../backtest-result';
import type { SymbolSummary } from '../symbol-summary';

export interface ReportInput {
  result: BacktestResult;
  /** Per symbol: [openTime ms, open, high, low, close]. */
  candles: Record<string, Array<[number, number, number, number, number]>>;
  summaries: SymbolSummary[];
  chartScript: string;
}

/** JSON inside a <script> must not be able to close it. */
const embed = (value: unknown): string => JSON.stringify(value).replace(/</g, '\\u003c');

const esc = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

const fmt = (x: number | null, digits = 2): string => (x === null ? '—' : x.toFixed(digits));

function summaryTable(rows: SymbolSummary[], maxDrawdownPct: number): string {
  const body = rows
    .map(
      (r) =>
        `<tr><td>${esc(r.symbol)}</td><td>${r.trades}</td><td>${fmt(r.win_rate * 100, 1)}%</td>` +
        `<td>${fmt(r.net_pnl)}</td><td>${fmt(r.fees)}</td><td>${fmt(r.realised_dd_pct)}%</td></tr>`,
    )
    .join('');
  return `<table id="symbols"><thead><tr><th>symbol</th><th>trades</th><th>win rate</th><th>net pnl</th><th>fees</th><th>realised dd</th></tr></thead><tbody>${body}</tbody></table>
<p class="note">realised dd: the largest fall of the row's cumulative realised pnl, trades in the order they closed, in % of starting equity (TOTAL on the same basis). The marked equity curve's max drawdown, open positions included, in % of its peak: ${fmt(maxDrawdownPct)}%.</p>`;
}

/**
 * Dust left held after the end-of-data close: in no trade, yet in final equity; without this table the
 * trades' pnl and the equity curve's last point seem not to add up.
 */
function dustTable(result: BacktestResult): string {
  const rows = result.dust ?? [];
  if (rows.length === 0) return '';
  const body = rows
    .map(
      (d) =>
        `<tr><td>${esc(d.symbol)}</td><td>${d.qty.toPrecision(6)}</td><td>${fmt(d.entry_price)}</td>` +
        `<td>${fmt(d.mark_price)}</td><td>${fmt(d.unrealized_pnl, 4)}</td></tr>`,
    )
    .join('');
  return `<h2>Held at the end (dust)</h2>
<p class="note">Remainders below the market's step or minimum notional that no order could sell: in no trade's pnl, marked in final equity at the last price.</p>
<table id="dust"><thead><tr><th>symbol</th><th>qty</th><th>entry</th><th>mark</th><th>unrealised pnl</th></tr></thead><tbody>${body}</tbody></table>`;
}

function metricsList(result: BacktestResult): string {
  return Object.entries(result.metrics)
    .map(
      ([k, v]) =>
        `<dt>${esc(k)}</dt><dd>${typeof v === 'number' ? fmt(v, k === 'trades' ? 0 : 4) : '—'}</dd>`,
    )
    .join('');
}

/** One self-contained page: metrics, per-symbol table, equity, drawdown, candles with trade markers. */
export function reportHtml(input: ReportInput): string {
  const { result } = input;
  const m = result.meta;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Ballast backtest ${esc(m.symbols.join(', '))}</title>
<style>
body{font:14px system-ui,sans-serif;margin:24px;color:#222}h1{font-size:20px}h2{font-size:16px;margin-top:28px}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 10px;text-align:right}td:first-child,th:first-child{text-align:left}
dl{display:grid;grid-template-columns:repeat(4,auto 1fr);gap:2px 12px}dt{color:#666}dd{margin:0}.chart{height:320px;margin-bottom:8px}
.note{color:#666;max-width:900px}
</style>
<script src="./${esc(input.chartScript)}"></script></head>
<body>
<h1>Backtest: ${esc(m.symbols.join(', '))} ${esc(m.timeframe)}, ${new Date(m.from).toISOString().slice(0, 10)} → ${new Date(m.to).toISOString().slice(0, 10)}</h1>
<p>Trades: <strong id="trade-count">${result.trades.length}</strong> · candles replayed: ${m.candles} · seed ${m.seed} · starting equity ${m.initial_equity}</p>
<p class="note">Fill model: ${esc(m.fill_model)}.</p>
<h2>Metrics</h2><dl>${metricsList(result)}</dl>
<h2>Per symbol</h2>${summaryTable(input.summaries, input.result.metrics.max_drawdown_pct)}
${dustTable(result)}
<h2>Equity</h2><div id="equity" class="chart"></div>
<h2>Drawdown</h2><div id="drawdown" class="chart" style="height:200px"></div>
<div id="symbol-charts"></div>
<script>
const result = ${embed({ equity: result.equity, trades: result.trades })};
const candles = ${embed(input.candles)};
const LC = window.LightweightCharts;
const sec = (ms) => Math.floor(ms / 1000);
const opts = (el) => ({ width: el.clientWidth || 900, height: el.clientHeight || 320, timeScale: { timeVisible: true } });
function line(id, points, color) {
  const el = document.getElementById(id);
  const chart = LC.createChart(el, opts(el));
  chart.addSeries(LC.AreaSeries, { lineColor: color, topColor: color + '55', bottomColor: color + '05' }).setData(points);
  chart.timeScale().fitContent();
}
line('equity', result.equity.map((p) => ({ time: sec(p.time), value: p.equity })), '#2962ff');
let peak = -Infinity;
line('drawdown', result.equity.map((p) => { peak = Math.max(peak, p.equity); return { time: sec(p.time), value: -((peak - p.equity) / peak) * 100 }; }), '#d32f2f');
const holder = document.getElementById('symbol-charts');
for (const [symbol, rows] of Object.entries(candles)) {
  const title = document.createElement('h2');
  title.textContent = symbol + ': candles and trades';
  const el = document.createElement('div');
  el.className = 'chart';
  el.style.height = '420px';
  holder.append(title, el);
  const chart = LC.createChart(el, { ...opts(el), height: 420 });
  const series = chart.addSeries(LC.CandlestickSeries);
  series.setData(rows.map(([t, o, h, l, c]) => ({ time: sec(t), open: o, high: h, low: l, close: c })));
  const times = rows.map((r) => sec(r[0]));
  const snap = (ms) => { const t = sec(ms); let best = times[0]; for (const x of times) if (x <= t) best = x; return best; };
  const markers = [];
  for (const t of result.trades.filter((x) => x.symbol === symbol)) {
    const long = t.side === 'long';
    markers.push({ time: snap(t.entry_time), position: long ? 'belowBar' : 'aboveBar', color: '#2e7d32', shape: long ? 'arrowUp' : 'arrowDown', text: 'in ' + t.entry_price.toFixed(2) });
    markers.push({ time: snap(t.exit_time), position: long ? 'aboveBar' : 'belowBar', color: t.pnl > 0 ? '#1565c0' : '#c62828', shape: 'circle', text: t.exit_reason + ' ' + t.pnl.toFixed(2) });
  }
  markers.sort((a, b) => a.time - b.time);
  LC.createSeriesMarkers(series, markers);
  chart.timeScale().fitContent();
}
</script>
</body></html>
`;
}
