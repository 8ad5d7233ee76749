/** One frame as it goes over the wire: the recorded text, and the stream or topic it belongs to. */
export interface RecordedFrame {
  /** Exactly the recorded line (or a frame built from a recorded candle). */
  raw: string;
  /** Binance stream name (`btcusdt@aggTrade`) or Bybit topic (`orderbook.200.BTCUSDT`). */
  route: string;
  /** Exchange event time (ms) used to pace real-time replay; undefined for control frames. */
  time: number | undefined;
  /** The parsed payload, for the simulator's own state (books, last prices, resting fills). */
  data: unknown;
}

export class FrameParseError extends Error {
  readonly reason = 'invalid_recorded_frame';
}

/** Parses a Binance combined-stream recording: `{"stream":…,"data":…}` per line. */
export function parseBinanceFrames(jsonl: string): RecordedFrame[] {
  return lines(jsonl).map((raw, i) => {
    const parsed = parseLine(raw, i) as { stream?: unknown; data?: { E?: unknown } };
    if (typeof parsed.stream !== 'string') throw new FrameParseError(`line ${i + 1}: no "stream"`);
    const time = typeof parsed.data?.E === 'number' ? parsed.data.E : undefined;
    return { raw, route: parsed.stream, time, data: parsed.data };
  });
}

/** Parses a Bybit v5 recording; subscribe acks get the route `op:subscribe`. */
export function parseBybitFrames(jsonl: string): RecordedFrame[] {
  return lines(jsonl).map((raw, i) => {
    const parsed = parseLine(raw, i) as { topic?: unknown; op?: unknown; ts?: unknown };
    const route = typeof parsed.topic === 'string' ? parsed.topic : `op:${String(parsed.op)}`;
    return { raw, route, time: typeof parsed.ts === 'number' ? parsed.ts : undefined, data: parsed };
  });
}

function lines(jsonl: string): string[] {
  return jsonl.split('\n').filter((l) => l.length > 0);
}

function parseLine(raw: string, i: number): unknown {
  try {
    return JSON.parse(raw);
  } catch (err) {
    throw new FrameParseError(`line ${i + 1}: ${(err as Error).message}`);
  }
}

/** The `data` part of a combined-stream frame, sliced from the raw text so it stays byte-identical. */
export function binanceDataText(frame: RecordedFrame): string {
  const prefix = `{"stream":${JSON.stringify(frame.route)},"data":`;
  if (frame.raw.startsWith(prefix) && frame.raw.endsWith('}')) return frame.raw.slice(prefix.length, -1);
  return JSON.stringify(frame.data);
}
