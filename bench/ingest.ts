// `pnpm bench ingest`: frames per second on one core through parse → validate → normalise → publish,
// for the depth and trade streams of the recorded Binance file, beside JSON.parse alone on the same frames.
// Publishing goes into an in-process sink that builds the envelope and serialises it as a bus would,
// so the figure is the ingest path itself, not NATS (ids and the wire are the bus's own benchmark).
// Rates are frames per CPU-second of this process (process.cpuUsage), i.e. per core, so a busy
// machine slows the run down without distorting the figure much.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { type Subject, Subjects, subject } from '../packages/contracts/src/index.ts';
import { binanceSpotFeed, type FrameResult } from '../packages/exchange/src/index.ts';
import { sharedDataDir } from '../packages/testkit/src/index.ts';

const FILE = 'binance-spot-ws/2021-04-04_BTCUSDT-ETHUSDT-DOTUSDT_depth-kline1m-aggTrade.frames.jsonl.gz';
const MIN_FRAMES = 1_000_000;

const frames = gunzipSync(readFileSync(join(sharedDataDir(), FILE)))
  .toString('utf8')
  .split('\n')
  .filter((l) => l.length > 0);
const depth = frames.filter((f) => f.includes('@depth'));
const trade = frames.filter((f) => f.includes('@aggTrade'));

/** What a bus publish costs before the wire: subject lookup, envelope header, JSON encoding. */
class SerialisingSink {
  bytes = 0;
  published = 0;
  private readonly subjects = new Map<string, Subject<unknown>>();
  private seq = 0;

  publish(result: FrameResult, now: number): void {
    if (result.kind === 'rejected') return;
    const { exchange, symbol } = result.payload;
    const family =
      result.kind === 'book' ? Subjects.book : result.kind === 'trade' ? Subjects.trade : Subjects.candle;
    const key = `${family.name}|${exchange}|${symbol}`;
    let target = this.subjects.get(key);
    if (!target) {
      target = subject(family as typeof Subjects.book, { exchange, symbol }) as Subject<unknown>;
      this.subjects.set(key, target);
    }
    const id = `bench-${this.seq++}`;
    const payload = result.payload;
    const eventTime = 'time' in payload ? payload.time : payload.closeTime;
    const body = JSON.stringify({
      id,
      type: family.type,
      version: family.version,
      eventTime,
      emittedAt: now,
      source: 'market-data',
      correlationId: id,
      causationId: null,
      payload,
    });
    this.bytes += body.length + target.value.length;
    this.published++;
  }
}

function rounds(set: string[]): number {
  return Math.ceil(MIN_FRAMES / set.length);
}

/** CPU seconds (user + system) spent by this process while `fn` runs. */
function cpuSeconds(fn: () => void): number {
  const before = process.cpuUsage();
  fn();
  const used = process.cpuUsage(before);
  return (used.user + used.system) / 1e6;
}

function ingestRate(set: string[]): { rate: number; published: number } {
  const feed = binanceSpotFeed();
  const sink = new SerialisingSink();
  const n = rounds(set);
  const seconds = cpuSeconds(() => {
    for (let r = 0; r < n; r++) {
      const now = 1_617_566_600_000 + r;
      for (const raw of set) for (const result of feed.parseFrame(raw)) sink.publish(result, now);
    }
  });
  return { rate: (n * set.length) / seconds, published: sink.published };
}

function parseRate(set: string[]): number {
  const n = rounds(set);
  let keep = 0;
  const seconds = cpuSeconds(() => {
    for (let r = 0; r < n; r++)
      for (const raw of set) keep += (JSON.parse(raw) as { data: object }).data ? 1 : 0;
  });
  if (keep !== n * set.length) throw new Error('JSON.parse baseline lost frames');
  return (n * set.length) / seconds;
}

// Warm the JIT on every path first, then measure.
ingestRate(depth.slice(0, 500));
ingestRate(trade.slice(0, 500));
parseRate(frames.slice(0, 500));

const depthRun = ingestRate(depth);
const tradeRun = ingestRate(trade);
const parseAlone = parseRate([...depth, ...trade]);
if (
  depthRun.published !== rounds(depth) * depth.length ||
  tradeRun.published !== rounds(trade) * trade.length
)
  throw new Error('some recorded frames were rejected: the bench would overstate the rate');

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
console.log(
  `ingest: depth ${fmt(depthRun.rate)} frames/s, trade ${fmt(tradeRun.rate)} frames/s (JSON.parse alone: ${fmt(parseAlone)} frames/s)`,
);
