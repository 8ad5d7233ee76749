import type { BookLevel } from '@ballast/contracts';
import type { JsonBytesWriter } from './json-bytes-writer';
import type { SymbolCache } from './wire-values';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;
const OPEN = 0x5b;
const CLOSE = 0x5d;
/** Up to 15 digits an integer built digit by digit stays exact (below 2^53). */
const MAX_EXACT_DIGITS = 15;
const POW10 = Array.from({ length: MAX_EXACT_DIGITS + 1 }, (_, i) => 10 ** i);
const TRUE = Uint8Array.of(0x74, 0x72, 0x75, 0x65);
const FALSE = Uint8Array.of(0x66, 0x61, 0x6c, 0x73, 0x65);
const FRAME_END = Uint8Array.of(0x7d, 0x7d);

/**
 * A cursor over one frame laid out exactly as a venue sends it, for the hot readers: it reads the
 * frame's bytes (scanning bytes costs a fraction of `charCodeAt`) and copies the values it reads, as
 * JSON.stringify would write them, to a JsonBytesWriter. Every read returns a failure value instead
 * of throwing. Only pure-ASCII frames load, so a byte is a character and positions match the string.
 */
export class AsciiFrameReader {
  private input = Buffer.allocUnsafeSlow(8192);
  private at = 0;
  private length = 0;
  private raw = '';

  constructor(readonly out: JsonBytesWriter) {}

  /** Starts on a frame; false if it holds anything but ASCII. */
  load(raw: string): boolean {
    if (this.input.length <= raw.length * 3) this.input = Buffer.allocUnsafeSlow(raw.length * 6 + 1);
    // Every non-ASCII character takes 2 or more UTF-8 bytes.
    this.length = this.input.write(raw, 0, 'utf8');
    // A byte no read accepts, so no read runs on into an earlier frame's bytes.
    this.input[this.length] = 0;
    this.raw = raw;
    this.at = 0;
    return this.length === raw.length;
  }

  get position(): number {
    return this.at;
  }

  /** Copies frame bytes already read (digits) to the encoding. */
  copy(from: number, to: number): void {
    this.out.copy(this.input, from, to);
  }

  literal(text: Uint8Array): boolean {
    const input = this.input;
    const at = this.at;
    if (at + text.length > this.length) return false;
    for (let i = 0; i < text.length; i++) if (input[at + i] !== text[i]) return false;
    this.at = at + text.length;
    return true;
  }

  /** A combined-stream frame's closing braces and nothing after them. */
  end(): boolean {
    return this.literal(FRAME_END) && this.at === this.length;
  }

  /** Skips string content up to the closing quote (left unread); -1 on an escape or control character. */
  plainString(): number {
    const start = this.at;
    const input = this.input;
    for (; this.at < this.length; this.at++) {
      const c = input[this.at] as number;
      if (c === QUOTE) return start;
      if (c === BACKSLASH || c < 0x20) return -1;
    }
    return -1;
  }

  symbol(symbols: SymbolCache): string | undefined {
    const start = this.plainString();
    return start < 0 ? undefined : symbols.normalise(this.raw.slice(start, this.at));
  }

  /**
   * A JSON integer of at most 15 digits without sign or leading zero; -1 otherwise. Its text is
   * already what JSON.stringify writes for it, so `write` copies it to the encoding.
   */
  integer(write = false): number {
    const input = this.input;
    const start = this.at;
    let n = 0;
    for (; this.at < this.length; this.at++) {
      const c = input[this.at] as number;
      if (c < ZERO || c > NINE) break;
      n = n * 10 + (c - ZERO);
    }
    const digits = this.at - start;
    if (digits === 0 || digits > MAX_EXACT_DIGITS) return -1;
    if (digits > 1 && input[start] === ZERO) return -1;
    if (write) this.out.copy(input, start, this.at);
    return n;
  }

  /**
   * A quoted decimal `digits[.digits]`, valued as Number(text) would: with at most 15 digits the
   * integer of all digits and the power of ten are exact, so one division rounds correctly (Clinger's
   * fast path); longer ones go through Number. NaN (refused by every check) for any other text.
   * `write` appends JSON.stringify of the value to the encoding (see `writeNumber`).
   */
  decimal(write = false): number {
    const input = this.input;
    if (input[this.at] !== QUOTE || this.at >= this.length) return Number.NaN;
    const start = ++this.at;
    let mantissa = 0;
    let digits = 0;
    let fraction = -1;
    for (; this.at < this.length; this.at++) {
      const c = input[this.at] as number;
      if (c >= ZERO && c <= NINE) {
        mantissa = mantissa * 10 + (c - ZERO);
        digits++;
        if (fraction >= 0) fraction++;
      } else if (c === DOT && fraction < 0 && digits > 0) {
        fraction = 0;
      } else break;
    }
    if (this.at >= this.length || input[this.at] !== QUOTE || digits === 0 || fraction === 0)
      return Number.NaN;
    const end = this.at++;
    if (digits > MAX_EXACT_DIGITS) {
      const value = Number(this.raw.slice(start, end));
      if (write) this.out.text(String(value));
      return value;
    }
    const value = fraction > 0 ? mantissa / (POW10[fraction] as number) : mantissa;
    if (write) this.writeNumber(value, start, end, fraction > 0);
    return value;
  }

  /**
   * JSON.stringify of a value read from at most 15 digits. A double tells apart every decimal of up to
   * 15 significant digits, so the shortest text that reads back as this value (what JavaScript
   * writes) has exactly the frame's significant digits: the frame's text minus a fraction's trailing
   * zeros and dot, as long as JavaScript writes no exponent (1e-6 ≤ value < 1e21) and the integer part
   * has no leading zero. Anything else (0, tiny values, `007.5`) is written by String().
   */
  private writeNumber(value: number, start: number, end: number, hasFraction: boolean): void {
    const input = this.input;
    if (value < 1e-6 || (input[start] === ZERO && input[start + 1] !== DOT)) {
      this.out.text(String(value));
      return;
    }
    let last = end;
    if (hasFraction) {
      while (input[last - 1] === ZERO) last--;
      if (input[last - 1] === DOT) last--;
    }
    this.out.copy(input, start, last);
  }

  boolean(): boolean | undefined {
    if (this.literal(TRUE)) return true;
    return this.literal(FALSE) ? false : undefined;
  }

  /** `[["price","size"],…]`, written to the encoding as `[[price,size],…]`; undefined for any other layout. */
  levels(): BookLevel[] | undefined {
    const input = this.input;
    const out = this.out;
    if (input[this.at] !== OPEN) return undefined;
    this.at++;
    out.byte(OPEN);
    const levels: BookLevel[] = [];
    if (input[this.at] === CLOSE) {
      this.at++;
      out.byte(CLOSE);
      return levels;
    }
    for (;;) {
      if (input[this.at] !== OPEN) return undefined;
      this.at++;
      out.byte(OPEN);
      const price = this.decimal(true);
      if (input[this.at] !== COMMA) return undefined;
      this.at++;
      out.byte(COMMA);
      const size = this.decimal(true);
      if (input[this.at] !== CLOSE) return undefined;
      this.at++;
      out.byte(CLOSE);
      levels.push([price, size]);
      const next = input[this.at];
      this.at++;
      if (next === CLOSE) break;
      if (next !== COMMA) return undefined;
      out.byte(COMMA);
    }
    out.byte(CLOSE);
    return levels;
  }
}
