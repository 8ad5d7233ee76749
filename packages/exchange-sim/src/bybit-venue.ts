import { BybitBooks } from './bybit-book';
import { type BybitCandleData, bybitInterval, bybitKlineFrame } from './bybit-kline';
import type { BybitInstruments } from './bybit-rest';
import { type BybitAck, recordedBybitAck, SubscribeRefusals } from './bybit-ws';
import { type CandleRow, parseCandleCsv } from './candle-series';
import { readRecordedFile } from './recorded-file';
import { parseBybitFrames, type RecordedFrame } from './recorded-frame';
import { ReplayFeed, type ReplayFeedOptions, type ReplaySpeed } from './replay-feed';
import { type BybitOptions, type CandleSeriesOption, DEFAULTS } from './sim-options';

export interface BybitVenue {
  frames: ReplayFeed;
  /** Confirmed kline frames built from the candle series marked `replay`. */
  candles: ReplayFeed;
  ack: BybitAck;
  /** Subscribe requests to refuse (fault injection). */
  refusals: SubscribeRefusals;
  instruments: BybitInstruments;
  /** The books the recorded orderbook frames have built so far (snapshots on subscribe, REST depth). */
  books: BybitBooks;
  /** Candle rows by `<symbol>:<bybit interval>`, with how many REST may show. */
  series: Map<string, { rows: CandleRow[]; visible: number }>;
}

/** Loads the recorded Bybit frames (files concatenated in order), instruments-info documents and candles. */
export function loadBybitVenue(
  dataDir: string,
  opts: BybitOptions,
  speed: ReplaySpeed,
  feedOpts: ReplayFeedOptions,
): BybitVenue {
  const o = { ...DEFAULTS.bybit, ...opts };
  const recorded = o.framesFiles.flatMap((f) => parseBybitFrames(readRecordedFile(dataDir, f)));
  const instruments = new Map(
    Object.entries(o.instrumentsFiles).map(([category, file]) => [
      category,
      JSON.parse(readRecordedFile(dataDir, file)),
    ]),
  );
  const frames = new ReplayFeed('bybit', recorded, speed, feedOpts);
  const books = new BybitBooks();
  frames.onSource((f) => books.onSource(f));
  frames.onRewind(() => books.reset());

  const series = new Map<string, { rows: CandleRow[]; visible: number }>();
  const candles = new ReplayFeed(
    'bybit-candles',
    loadCandles(dataDir, o.candles ?? [], series),
    speed,
    feedOpts,
  );
  candles.onSource((f) => {
    const { symbol, interval, row } = f.data as BybitCandleData;
    const s = series.get(seriesKey(symbol, bybitInterval(interval) ?? interval));
    if (s) s.visible = Math.max(s.visible, s.rows.indexOf(row) + 1);
  });
  return {
    frames,
    candles,
    ack: recordedBybitAck(recorded),
    refusals: new SubscribeRefusals(),
    instruments,
    books,
    series,
  };
}

export function seriesKey(symbol: string, bybitInterval: string): string {
  return `${symbol}:${bybitInterval}`;
}

/** Every series for REST; the kline frames of those to replay, merged by close time. */
function loadCandles(
  dataDir: string,
  list: CandleSeriesOption[],
  series: BybitVenue['series'],
): RecordedFrame[] {
  const frames: RecordedFrame[] = [];
  for (const opt of list) {
    const interval = bybitInterval(opt.interval);
    if (!interval) throw new Error(`bybit: no kline interval for ${opt.interval}`);
    const { rows } = parseCandleCsv(readRecordedFile(dataDir, opt.file), opt.symbol, opt.interval);
    const from = opt.replay ? (opt.replayFrom ?? Number.NEGATIVE_INFINITY) : Number.POSITIVE_INFINITY;
    const history = rows.filter((r) => r.openTime < from).length;
    series.set(seriesKey(opt.symbol, interval), { rows, visible: history });
    for (const row of rows.slice(history)) frames.push(bybitKlineFrame(row, opt.symbol, opt.interval));
  }
  return frames.sort((a, b) => (a.time ?? 0) - (b.time ?? 0));
}
