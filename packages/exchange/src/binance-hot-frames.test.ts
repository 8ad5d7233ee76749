import { describe, expect, it } from 'vitest';
import { readHotBinanceFrame } from './binance-hot-frames';
import { parseBinanceFrame, parseBinanceFrameGenerically } from './binance-spot-feed';
import type { FrameResult } from './frame-result';
import { payloadJsonOf } from './payload-json';
import { BINANCE_FRAMES, recordedLines } from './recorded-frames';
import { SymbolCache } from './wire-values';

const frames = recordedLines(BINANCE_FRAMES);
const depth = frames.filter((f) => f.includes('"e":"depthUpdate"'));
const trades = frames.filter((f) => f.includes('"e":"aggTrade"'));

/** The hot reader may pass a frame on (undefined), but what it returns equals the generic path. */
function expectAgreement(raw: string): void {
  const generic = parseBinanceFrameGenerically(raw, new SymbolCache());
  const hot = readHotBinanceFrame(raw, new SymbolCache());
  if (hot) {
    expect([hot]).toEqual(generic);
    expectOwnEncoding(hot);
  }
  expect(parseBinanceFrame(raw, new SymbolCache())).toEqual(generic);
}

/** The encoding a hot payload carries is exactly what JSON.stringify writes for it. */
function expectOwnEncoding(result: FrameResult | undefined): void {
  if (result?.kind !== 'book' && result?.kind !== 'trade') throw new Error(`no payload: ${result?.kind}`);
  const json = payloadJsonOf(result.payload);
  expect(json).toBeDefined();
  expect(Buffer.from(json as Uint8Array).toString('utf8')).toBe(JSON.stringify(result.payload));
  // A copy (as the Bybit sync makes) carries no encoding, so a changed copy cannot send stale bytes.
  expect(payloadJsonOf({ ...result.payload })).toBeUndefined();
}

// Each edit turns one part of a recorded frame into something Binance does not send, or sends rarely.
const edits: Array<[string, (raw: string) => string]> = [
  ['space after a colon', (f) => f.replace('"E":', '"E": ')],
  ['newline at the end', (f) => `${f}\n`],
  ['text after the frame', (f) => `${f}x`],
  ['truncated', (f) => f.slice(0, -3)],
  ['keys reordered', (f) => f.replace(/"s":"([A-Z]+)","/, '"x":1,"s":"$1","')],
  ['unknown key', (f) => f.replace('}}', ',"z":1}}')],
  ['non-ASCII digit', (f) => f.replace(/"E":(\d)/, '"E":\u0661$1')],
  ['non-ASCII in the stream name', (f) => f.replace('@', '\u00e9@')],
  ['escaped symbol', (f) => f.replace(/"s":"([A-Z])/, '"s":"\\u0041$1')],
  ['lower-case symbol', (f) => f.replace(/"s":"([A-Z]+)"/, (_m, s: string) => `"s":"${s.toLowerCase()}"`)],
  ['unknown quote', (f) => f.replace(/"s":"([A-Z]+)USDT"/, '"s":"$1XYZ"')],
  ['leading zero in an integer', (f) => f.replace('"E":', '"E":0')],
  ['negative integer', (f) => f.replace('"E":', '"E":-')],
  ['fractional integer', (f) => f.replace(/"E":(\d+)/, '"E":$1.5')],
  ['exponent integer', (f) => f.replace(/"E":(\d+)/, '"E":$1e0')],
  ['16-digit integer', (f) => f.replace(/"E":(\d+)/, '"E":$1123')],
  ['integer as string', (f) => f.replace(/"E":(\d+)/, '"E":"$1"')],
  ['zero price', (f) => f.replace(/"p":"[^"]*"/, '"p":"0.00000000"').replace(/\[\["[^"]*"/, '[["0.000"')],
  ['exponent decimal', (f) => f.replace(/"q":"[^"]*"/, '"q":"1e-3"').replace(/,"([0-9.]+)"\]/, ',"1e-3"]')],
  ['empty decimal', (f) => f.replace(/"q":"[^"]*"/, '"q":""').replace(/,"([0-9.]+)"\]/, ',""]')],
  ['trailing dot', (f) => f.replace(/"p":"(\d+)\.\d+"/, '"p":"$1."').replace(/\[\["(\d+)\.\d+"/, '[["$1."')],
  ['leading dot', (f) => f.replace(/"p":"\d+\./, '"p":".').replace(/\[\["\d+\./, '[[".')],
  ['padded decimal', (f) => f.replace(/"p":"/, '"p":" ').replace(/\[\["/, '[[" ')],
  ['leading zeros in a decimal', (f) => f.replace(/"p":"/, '"p":"000').replace(/\[\["/, '[["000')],
  [
    '17 significant digits',
    (f) => f.replace(/"p":"(\d+)\./, '"p":"$1.123456789').replace(/\[\["(\d+)\./, '[["$1.123456789'),
  ],
  ['negative size', (f) => f.replace(/"q":"/, '"q":"-').replace(/,"([0-9.]+)"\]/, ',"-$1"]')],
  [
    'number instead of a decimal string',
    (f) => f.replace(/"p":"([^"]*)"/, '"p":$1').replace(/\[\["([^"]*)"/, '[[$1'),
  ],
  ['level with three values', (f) => f.replace(/\[\["([^"]*)","([^"]*)"\]/, '[["$1","$2","9"]')],
  ['level with one value', (f) => f.replace(/\[\["([^"]*)","([^"]*)"\]/, '[["$1"]')],
  ['levels not an array', (f) => f.replace(/"b":\[/, '"b":{"x":[').replace(/,"a":/, '},"a":')],
  ['m not a boolean', (f) => f.replace('"m":true', '"m":1').replace('"m":false', '"m":0')],
  ['M missing', (f) => f.replace(/,"M":(true|false)/, '')],
  ['raw stream without wrapper', (f) => f.replace(/^\{"stream":"[^"]*","data":/, '').slice(0, -1)],
  ['error frame', () => '{"error":{"code":2,"msg":"Invalid request"},"id":1}'],
];

describe(`Binance hot frame reader (${BINANCE_FRAMES})`, () => {
  it('reads every recorded depthUpdate and aggTrade itself, exactly as the generic path does', () => {
    expect(depth.length).toBe(2_688);
    expect(trades.length).toBe(1_910);
    const symbols = new SymbolCache();
    for (const raw of [...depth, ...trades]) {
      const hot = readHotBinanceFrame(raw, symbols);
      expect(hot).toBeDefined();
      expect([hot]).toEqual(parseBinanceFrameGenerically(raw, new SymbolCache()));
      expectOwnEncoding(hot);
    }
  });

  it('values decimals of every length exactly as Number() does', () => {
    const template = trades[0] as string;
    const digits = (n: number) => Array.from({ length: n }, () => Math.floor(Math.random() * 10)).join('');
    for (let i = 0; i < 20_000; i++) {
      const whole = `${1 + Math.floor(Math.random() * 9)}${digits(i % 9)}`;
      const text = i % 5 === 0 ? whole : `${whole}.${digits(1 + (i % 13))}`;
      const hot = readHotBinanceFrame(template.replace(/"p":"[^"]*"/, `"p":"${text}"`), new SymbolCache());
      expect(hot?.kind === 'trade' ? hot.payload.price : undefined).toBe(Number(text));
      expectOwnEncoding(hot);
    }
  });

  it('encodes decimals as JSON.stringify does: trailing zeros, tiny, zero, leading zeros, long', () => {
    const trade = trades[0] as string;
    const book = depth.find((f) => /"b":\[\["/.test(f)) as string;
    const texts = [
      ['56781.23000000', '1.00000000', '100', '100.0', '0.10000000', '0.00000100', '0.00000099'],
      ['0.00000001', '0.00000000', '0', '000.5', '007', '0.000001', '123456789012345', '1234567890.12345'],
      ['12345678901234567', '0.1234567890123456789', '9007199254740993', '1.999999999999999999', '5e0'],
    ].flat();
    let books = 0;
    for (const price of texts)
      for (const size of texts) {
        const p = trade.replace(/"p":"[^"]*"/, `"p":"${price}"`).replace(/"q":"[^"]*"/, `"q":"${size}"`);
        const hot = readHotBinanceFrame(p, new SymbolCache());
        if (hot) expectOwnEncoding(hot);
        expectAgreement(p);
        const b = book.replace(/"b":\[\["[^"]*","[^"]*"\]/, `"b":[["${price}","${size}"]`);
        const hotBook = readHotBinanceFrame(b, new SymbolCache());
        if (hotBook) {
          books++;
          expectOwnEncoding(hotBook);
        }
        expectAgreement(b);
      }
    // Every positive price with a valid size reads hot; zero and exponent prices go generic (and fail).
    expect(books).toBeGreaterThan(texts.length * (texts.length - 4) - texts.length * 4);
  });

  it('passes kline frames on to the generic path', () => {
    const klines = frames.filter((f) => f.includes('"e":"kline"'));
    expect(klines.length).toBe(118);
    for (const raw of klines) {
      expect(readHotBinanceFrame(raw, new SymbolCache())).toBeUndefined();
      expectAgreement(raw);
    }
  });

  for (const [name, edit] of edits) {
    it(`agrees with the generic path on frames edited: ${name}`, () => {
      let changed = 0;
      for (const raw of [...depth.filter((_, i) => i % 40 === 0), ...trades.filter((_, i) => i % 40 === 0)]) {
        const edited = edit(raw);
        if (edited !== raw) changed++;
        expectAgreement(edited);
      }
      expect(changed).toBeGreaterThan(0);
    });
  }
});
