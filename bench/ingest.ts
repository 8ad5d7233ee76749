// `pnpm bench ingest`: frames per second on one core through parse → validate → normalise → publish,
// for the depth and trade streams of the recorded Binance file, beside JSON.parse alone on the same frames.
// Publishing runs the bus's own outbound code (NatsBus.publish minus the socket write), so the figure
// is the production ingest path; NATS itself is not measured.
// The Binance reader writes each payload's JSON while reading the frame (the venue's decimal text,
// trimmed, instead of number → text), the bus checks the envelope header and copies those bytes in:
// the same functions NatsBus calls, so the figure covers the fast path the service takes.
// Rates are frames per CPU-second of this process (process.cpuUsage), i.e. per core, so a busy
// machine slows the run down without distorting the figure much; each is the median of 3 runs.
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { buildEnvelope, type EnvelopeOrigin, wireBytes } from '../packages/bus/src/envelope-codec.ts';
import { validateOutbound } from '../packages/bus/src/outbound.ts';
import { randomIds } from '../packages/bus/src/random-ids.ts';
import { silentLog, silentObserver } from '../packages/bus/src/silent-log.ts';
import {
  type Clock,
  type Subject,
  type SubjectFamily,
  Subjects,
  subject,
} from '../packages/contracts/src/index.ts';
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

/**
 * A bus publish up to the socket: exactly what NatsBus.publish does before `js.publish` (envelope with
 * a fresh UUIDv7 from the production id generator, outbound validation with the bus's own rules,
 * JSON encoding, UTF-8 bytes), by calling the same functions. Only the network write is left out.
 */
class BusPublishSink {
  bytes = 0;
  published = 0;
  now = 0;
  private readonly subjects = new Map<string, Subject<unknown>>();
  private readonly clock: Clock = { now: () => this.now };
  private readonly origin: EnvelopeOrigin = {
    source: 'market-data',
    clock: this.clock,
    ids: randomIds(this.clock),
  };

  publish(result: FrameResult): void {
    if (result.kind === 'rejected') return;
    const { exchange, symbol } = result.payload;
    const family = (
      result.kind === 'book' ? Subjects.book : result.kind === 'trade' ? Subjects.trade : Subjects.candle
    ) as SubjectFamily<unknown>;
    const key = `${family.name}|${exchange}|${symbol}`;
    let target = this.subjects.get(key);
    if (!target) {
      target = subject(family as typeof Subjects.book, { exchange, symbol }) as Subject<unknown>;
      this.subjects.set(key, target);
    }
    const payload = result.payload;
    const eventTime = 'time' in payload ? payload.time : payload.closeTime;
    const envelope = buildEnvelope(this.origin, target.family, payload, { eventTime });
    const checked = validateOutbound(target.family, envelope, silentObserver, silentLog);
    this.bytes += wireBytes(checked).length + target.value.length;
    this.published++;
  }
}

function rounds(set: string[]): number {
  return Math.ceil(MIN_FRAMES / set.length);
}

interface Timing {
  /** CPU seconds (user + system) of this process: the per-core figure. */
  cpu: number;
  /** Wall seconds, for reference: on a loaded machine they include time spent waiting for a core. */
  wall: number;
}

function timed(fn: () => void): Timing {
  const before = process.cpuUsage();
  const start = process.hrtime.bigint();
  fn();
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  const used = process.cpuUsage(before);
  return { cpu: (used.user + used.system) / 1e6, wall };
}

interface Rate {
  cpu: number;
  wall: number;
  published: number;
}

function ingestRate(set: string[]): Rate {
  const feed = binanceSpotFeed();
  const sink = new BusPublishSink();
  const n = rounds(set);
  const t = timed(() => {
    for (let r = 0; r < n; r++) {
      sink.now = 1_617_566_600_000 + r;
      for (const raw of set) for (const result of feed.parseFrame(raw)) sink.publish(result);
    }
  });
  return { cpu: (n * set.length) / t.cpu, wall: (n * set.length) / t.wall, published: sink.published };
}

function parseRate(set: string[]): Rate {
  const n = rounds(set);
  let keep = 0;
  const t = timed(() => {
    for (let r = 0; r < n; r++)
      for (const raw of set) keep += (JSON.parse(raw) as { data: object }).data ? 1 : 0;
  });
  if (keep !== n * set.length) throw new Error('JSON.parse baseline lost frames');
  return { cpu: (n * set.length) / t.cpu, wall: (n * set.length) / t.wall, published: keep };
}

// Warm the JIT on every path first, then measure.
ingestRate(depth.slice(0, 500));
ingestRate(trade.slice(0, 500));
parseRate(frames.slice(0, 500));

const RUNS = 3;
function median(run: () => Rate): Rate {
  const rates = Array.from({ length: RUNS }, run).sort((a, b) => a.cpu - b.cpu);
  return rates[Math.floor(RUNS / 2)] as Rate;
}
const depthRun = median(() => ingestRate(depth));
const tradeRun = median(() => ingestRate(trade));
const parseAlone = median(() => parseRate([...depth, ...trade]));
if (
  depthRun.published !== rounds(depth) * depth.length ||
  tradeRun.published !== rounds(trade) * trade.length
)
  throw new Error('some recorded frames were rejected: the bench would overstate the rate');

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');
console.log(
  `ingest (median of ${RUNS} runs, per CPU-second): depth ${fmt(depthRun.cpu)} frames/s, trade ${fmt(tradeRun.cpu)} frames/s (JSON.parse alone: ${fmt(parseAlone.cpu)} frames/s)`,
);
console.log(
  `load average: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')} on ${cpus().length} cores`,
);
console.log(
  `wall clock: depth ${fmt(depthRun.wall)} frames/s, trade ${fmt(tradeRun.wall)} frames/s (JSON.parse alone: ${fmt(parseAlone.wall)} frames/s)`,
);
