/**
 * JSON text built as ASCII bytes in one reused scratch buffer, then copied out once per payload: how
 * the hot frame readers write a payload's encoding while they read the frame.
 * Callers write ASCII only (digits copied from a frame checked to be ASCII, constants, and symbols
 * that match `[A-Z0-9-]`).
 */
export class JsonBytesWriter {
  private buf = Buffer.allocUnsafeSlow(8192);
  private at = 0;

  /** Starts a payload that needs at most `capacity` bytes. */
  start(capacity: number): void {
    if (this.buf.length < capacity) this.buf = Buffer.allocUnsafeSlow(capacity * 2);
    this.at = 0;
  }

  byte(c: number): void {
    this.buf[this.at++] = c;
  }

  /** A constant, encoded once with `ascii()`. */
  bytes(b: Uint8Array): void {
    const buf = this.buf;
    let at = this.at;
    for (let i = 0; i < b.length; i++) buf[at++] = b[i] as number;
    this.at = at;
  }

  text(ascii: string): void {
    const buf = this.buf;
    let at = this.at;
    for (let i = 0; i < ascii.length; i++) buf[at++] = ascii.charCodeAt(i);
    this.at = at;
  }

  /** Bytes `from` to `to` (exclusive) of an ASCII source. */
  copy(src: Uint8Array, from: number, to: number): void {
    const buf = this.buf;
    let at = this.at;
    for (let i = from; i < to; i++) buf[at++] = src[i] as number;
    this.at = at;
  }

  /** A copy of the payload written since `start`; undefined if it outgrew the promised capacity. */
  take(): Buffer | undefined {
    if (this.at > this.buf.length) return undefined;
    const out = Buffer.allocUnsafe(this.at);
    this.buf.copy(out, 0, 0, this.at);
    return out;
  }
}

/** A constant's bytes for `JsonBytesWriter.bytes` and `AsciiFrameReader.literal`. */
export function ascii(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}
