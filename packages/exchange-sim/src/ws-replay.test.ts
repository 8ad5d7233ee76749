import { readDataFile, sharedDataDir, waitFor } from '@ballast/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { type ExchangeSim, type ExchangeSimOptions, startExchangeSim } from './index';

// Reads: binance-spot-ws/2021-04-04_BTCUSDT-ETHUSDT-DOTUSDT_depth-kline1m-aggTrade.frames.jsonl.gz,
// binance-spot-ohlcv/BTCUSDT-4h.csv, and the Bybit recording
// bybit-v5-ws/2026-08-09_linear_BTC-ETH-SOL-DOGE-USDT_orderbook200-publicTrade-kline1-tickers-allLiquidation.frames.jsonl.
const BINANCE_FILE =
  'binance-spot-ws/2021-04-04_BTCUSDT-ETHUSDT-DOTUSDT_depth-kline1m-aggTrade.frames.jsonl.gz';
const BYBIT_FILE =
  'bybit-v5-ws/2026-08-09_linear_BTC-ETH-SOL-DOGE-USDT_orderbook200-publicTrade-kline1-tickers-allLiquidation.frames.jsonl';
const recorded = readDataFile(BINANCE_FILE).split('\n').filter(Boolean);
const streamOf = (line: string) => (JSON.parse(line) as { stream: string }).stream;

const sims: ExchangeSim[] = [];
const sockets: WebSocket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.terminate();
  for (const s of sims.splice(0)) await s.close();
});

async function sim(opts: Partial<ExchangeSimOptions> = {}): Promise<ExchangeSim> {
  const s = await startExchangeSim({
    dataDir: sharedDataDir(),
    speed: { mode: 'step' },
    bybit: false,
    binance: { symbols: ['BTCUSDT'] },
    ...opts,
  });
  sims.push(s);
  return s;
}

interface Client {
  ws: WebSocket;
  messages: string[];
  closed: { code: number } | undefined;
}

async function connect(url: string): Promise<Client> {
  const ws = new WebSocket(url);
  sockets.push(ws);
  const client: Client = { ws, messages: [], closed: undefined };
  ws.on('message', (d) => client.messages.push(d.toString()));
  ws.on('close', (code) => {
    client.closed = { code };
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return client;
}

const BTC_STREAMS = ['btcusdt@kline_1m', 'btcusdt@aggTrade', 'btcusdt@depth@100ms'];

describe('Binance WebSocket replay', () => {
  it('sends the subscribed streams byte-identical to the recording, in order', async () => {
    const s = await sim();
    const client = await connect(`${s.wsUrl}/stream?streams=${BTC_STREAMS.join('/')}`);
    expect(s.controls.step(recorded.length)).toBe(4716);
    const expected = recorded.filter((l) => BTC_STREAMS.includes(streamOf(l)));
    await waitFor(() => client.messages.length === expected.length, 'every BTC frame');
    expect(client.messages).toEqual(expected);
  });

  it('answers a live SUBSCRIBE and sends raw data frames on /ws', async () => {
    const s = await sim();
    const client = await connect(`${s.wsUrl}/ws`);
    client.ws.send(JSON.stringify({ method: 'SUBSCRIBE', params: ['btcusdt@aggTrade'], id: 1 }));
    await waitFor(() => client.messages[0], 'subscribe reply');
    expect(client.messages[0]).toBe('{"result":null,"id":1}');
    s.controls.step(10);
    const expected = recorded
      .slice(0, 10)
      .filter((l) => streamOf(l) === 'btcusdt@aggTrade')
      .map((l) => l.slice(`{"stream":"btcusdt@aggTrade","data":`.length, -1));
    await waitFor(() => client.messages.length === 1 + expected.length, 'aggTrade frames');
    expect(client.messages.slice(1)).toEqual(expected);
  });

  it('skipping depth frames leaves a detectable U/u gap', async () => {
    const s = await sim();
    const client = await connect(`${s.wsUrl}/stream?streams=btcusdt@depth@100ms`);
    s.controls.step(100);
    s.controls.injectFrameFault({ kind: 'skip', count: 2, route: 'btcusdt@depth@100ms' });
    s.controls.step(200);
    const total = recorded.slice(0, 300).filter((l) => streamOf(l) === 'btcusdt@depth@100ms').length;
    await waitFor(() => client.messages.length === total - 2, 'depth frames minus the skipped two');
    const diffs = client.messages.map((m) => (JSON.parse(m) as { data: { U: number; u: number } }).data);
    const breaks = diffs.slice(1).filter((d, i) => d.U !== (diffs[i] as { u: number }).u + 1);
    expect(breaks).toHaveLength(1);
  });

  it('duplicates and reorders frames on request', async () => {
    const s = await sim();
    const client = await connect(`${s.wsUrl}/stream?streams=btcusdt@aggTrade`);
    const trades = recorded.filter((l) => streamOf(l) === 'btcusdt@aggTrade');
    s.controls.injectFrameFault({ kind: 'duplicate', count: 1, route: 'btcusdt@aggTrade' });
    s.controls.injectFrameFault({ kind: 'reorder', route: 'btcusdt@aggTrade' });
    s.controls.step(10);
    // The first ten frames hold four BTC aggTrades: #0 doubled, #1 and #2 swapped, #3 as is.
    await waitFor(() => client.messages.length === 5, 'five frames');
    expect(client.messages).toEqual([trades[0], trades[0], trades[2], trades[1], trades[3]]);
  });

  it('drop closes the socket abruptly; a malformed frame arrives as-is', async () => {
    const s = await sim();
    const client = await connect(`${s.wsUrl}/stream?streams=btcusdt@aggTrade`);
    const malformed = recorded[3]?.slice(0, 40) as string;
    expect(s.controls.sendRaw(malformed)).toBe(1);
    await waitFor(() => client.messages[0], 'malformed frame');
    expect(client.messages[0]).toBe(malformed);
    expect(s.controls.dropConnections('binance')).toBe(1);
    await waitFor(() => client.closed, 'close');
    expect(client.closed?.code).toBe(1006);
  });

  it('stall keeps the socket open but silent until resume', async () => {
    const s = await sim();
    const client = await connect(`${s.wsUrl}/stream?streams=btcusdt@aggTrade`);
    s.controls.stall();
    let pong = false;
    client.ws.on('pong', () => {
      pong = true;
    });
    client.ws.ping();
    s.controls.step(10);
    await waitFor(
      () => s.controls.state().suppressed.binance >= 11,
      'ten frames and the ping to be swallowed',
    );
    expect(client.messages).toEqual([]);
    s.controls.resume();
    s.controls.step(4);
    await waitFor(() => client.messages.length === 1, 'first frame after resume');
    expect(client.messages[0]).toBe(recorded.slice(10, 14).find((l) => streamOf(l) === 'btcusdt@aggTrade'));
    expect(pong).toBe(false);
    expect(client.ws.readyState).toBe(WebSocket.OPEN);
  });

  it('the admin endpoint drives a separate-process style fault', async () => {
    const s = await sim();
    const client = await connect(`${s.wsUrl}/stream?streams=btcusdt@aggTrade`);
    const res = await fetch(`${s.restUrl}/_sim/ws/drop`, { method: 'POST', body: '{}' });
    expect(await res.json()).toEqual({ dropped: 1 });
    await waitFor(() => client.closed, 'close');
    const step = await fetch(`${s.restUrl}/_sim/replay/step`, {
      method: 'POST',
      body: JSON.stringify({ count: 5 }),
    });
    expect(await step.json()).toEqual({ stepped: 5 });
    const state = (await (await fetch(`${s.restUrl}/_sim/state`)).json()) as {
      feeds: Array<{ name: string; position: number }>;
    };
    expect(state.feeds.find((f) => f.name === 'binance')?.position).toBe(5);
  });
});

describe('candle replay', () => {
  it('emits closed kline frames from the CSV and reveals candles to REST only once replayed', async () => {
    const from = Date.UTC(2022, 9, 10);
    const s = await sim({
      binance: {
        symbols: ['BTCUSDT'],
        framesFile: null,
        candles: [
          {
            symbol: 'BTCUSDT',
            interval: '4h',
            file: 'binance-spot-ohlcv/BTCUSDT-4h.csv',
            replay: true,
            replayFrom: from,
          },
        ],
      },
    });
    const rows = readDataFile('binance-spot-ohlcv/BTCUSDT-4h.csv')
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(','));
    const replayed = rows.filter((r) => Number(r[0]) >= from);
    const client = await connect(`${s.wsUrl}/stream?streams=btcusdt@kline_4h`);
    const before = (await (
      await fetch(`${s.restUrl}/api/v3/klines?symbol=BTCUSDT&interval=4h&limit=1`)
    ).json()) as unknown[][];
    expect(before[0]?.[0]).toBe(Number(replayed[0]?.[0]) - 4 * 3600_000);
    expect(s.controls.step(2, 'binance-candles')).toBe(2);
    await waitFor(() => client.messages.length === 2, 'two kline frames');
    const k = (
      JSON.parse(client.messages[1] as string) as { stream: string; data: { k: Record<string, unknown> } }
    ).data.k;
    const row = replayed[1] as string[];
    expect(k).toMatchObject({ t: Number(row[0]), T: Number(row[6]), i: '4h', x: true });
    expect([k.o, k.h, k.l, k.c].map(Number)).toEqual(row.slice(1, 5).map(Number));
    const after = (await (
      await fetch(`${s.restUrl}/api/v3/klines?symbol=BTCUSDT&interval=4h&limit=1`)
    ).json()) as unknown[][];
    expect(after[0]?.[0]).toBe(Number(row[0]));
  });
});

describe('Bybit v5 public linear', () => {
  it('acks a subscribe as recorded and replays the topic frames byte-identical', async () => {
    const s = await sim({ bybit: {} });
    const lines = readDataFile(BYBIT_FILE).split('\n').filter(Boolean);
    const topic = 'orderbook.200.BTCUSDT';
    const client = await connect(`${s.wsUrl}/v5/public/linear`);
    client.ws.send(JSON.stringify({ op: 'subscribe', args: [topic] }));
    await waitFor(() => client.messages[0], 'ack');
    expect(client.messages[0]).toBe(lines.find((l) => l.includes('"op":"subscribe"')));
    s.controls.step(lines.length, 'bybit');
    const expected = lines.filter((l) => l.startsWith(`{"topic":"${topic}"`));
    await waitFor(() => client.messages.length === 1 + expected.length, 'every BTC book frame');
    expect(client.messages.slice(1)).toEqual(expected);
    expect(JSON.parse(expected[0] as string)).toMatchObject({ type: 'snapshot' });
  });

  it('serves the recorded instruments-info, narrowed to a symbol', async () => {
    const s = await sim({ bybit: {} });
    const res = (await (
      await fetch(`${s.restUrl}/v5/market/instruments-info?category=linear&symbol=BTCUSDT`)
    ).json()) as {
      retCode: number;
      result: { list: Array<{ symbol: string; priceFilter: { tickSize: string } }> };
    };
    expect(res.retCode).toBe(0);
    expect(res.result.list.map((i) => i.symbol)).toEqual(['BTCUSDT']);
  });
});
