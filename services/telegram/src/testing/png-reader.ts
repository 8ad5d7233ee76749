import { inflateSync } from 'node:zlib';
import { crc32, PNG_SIGNATURE } from '../chart/png';

export interface DecodedPng {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  chunks: string[];
  /** RGB bytes, rows top to bottom (filter 0 rows only: what our encoder writes). */
  pixels: Uint8Array;
}

/** Reads a PNG back, checking the signature and every chunk's CRC; for tests of what we send. */
export function readPng(data: Buffer): DecodedPng {
  if (!data.subarray(0, 8).equals(PNG_SIGNATURE)) throw new Error('not a PNG: bad signature');
  const chunks: string[] = [];
  const idat: Buffer[] = [];
  let header: Buffer | undefined;
  for (let at = 8; at < data.length; ) {
    const length = data.readUInt32BE(at);
    const type = data.toString('ascii', at + 4, at + 8);
    const body = data.subarray(at + 8, at + 8 + length);
    const crc = data.readUInt32BE(at + 8 + length);
    if (crc !== crc32(data.subarray(at + 4, at + 8 + length))) throw new Error(`bad CRC in ${type}`);
    chunks.push(type);
    if (type === 'IHDR') header = body;
    if (type === 'IDAT') idat.push(body);
    at += 12 + length;
  }
  if (!header) throw new Error('no IHDR');
  const width = header.readUInt32BE(0);
  const height = header.readUInt32BE(4);
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * 3;
  if (raw.length !== (stride + 1) * height) throw new Error(`IDAT holds ${raw.length} bytes`);
  const pixels = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    if (raw[y * (stride + 1)] !== 0) throw new Error(`row ${y} uses a filter this reader does not undo`);
    pixels.set(raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1)), y * stride);
  }
  return { width, height, bitDepth: header[8] ?? 0, colorType: header[9] ?? 0, chunks, pixels };
}

/** How many pixels have exactly this colour. */
export function countColor(png: DecodedPng, color: readonly [number, number, number]): number {
  let n = 0;
  for (let i = 0; i < png.pixels.length; i += 3)
    if (png.pixels[i] === color[0] && png.pixels[i + 1] === color[1] && png.pixels[i + 2] === color[2]) n++;
  return n;
}
