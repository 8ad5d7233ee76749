/** An RGB colour, 0–255 per channel. */
export type Rgb = readonly [number, number, number];

/** A plain RGB bitmap (3 bytes per pixel, rows top to bottom): all a chart needs, no native canvas. */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  readonly pixels: Uint8Array;
}

export function createImage(width: number, height: number, background: Rgb): RgbImage {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1)
    throw new RangeError(`image size must be positive integers, got ${width}x${height}`);
  const pixels = new Uint8Array(width * height * 3);
  for (let i = 0; i < pixels.length; i += 3) pixels.set(background, i);
  return { width, height, pixels };
}

/** Pixels outside the image are ignored, so shapes may be drawn partly off the edge. */
export function setPixel(image: RgbImage, x: number, y: number, color: Rgb): void {
  const px = Math.round(x);
  const py = Math.round(y);
  if (px < 0 || py < 0 || px >= image.width || py >= image.height) return;
  image.pixels.set(color, (py * image.width + px) * 3);
}

export function getPixel(image: RgbImage, x: number, y: number): Rgb {
  const i = (y * image.width + x) * 3;
  return [image.pixels[i] ?? 0, image.pixels[i + 1] ?? 0, image.pixels[i + 2] ?? 0];
}

export function fillRect(image: RgbImage, x: number, y: number, w: number, h: number, color: Rgb): void {
  for (let py = Math.round(y); py < Math.round(y + h); py++)
    for (let px = Math.round(x); px < Math.round(x + w); px++) setPixel(image, px, py, color);
}

/** Bresenham's line with a square brush `thickness` pixels wide. */
export function drawLine(
  image: RgbImage,
  from: { x: number; y: number },
  to: { x: number; y: number },
  color: Rgb,
  thickness = 1,
): void {
  let x0 = Math.round(from.x);
  let y0 = Math.round(from.y);
  const x1 = Math.round(to.x);
  const y1 = Math.round(to.y);
  const dx = Math.abs(x1 - x0);
  const dy = -Math.abs(y1 - y0);
  const sx = x0 < x1 ? 1 : -1;
  const sy = y0 < y1 ? 1 : -1;
  const half = Math.floor((thickness - 1) / 2);
  let err = dx + dy;
  for (;;) {
    fillRect(image, x0 - half, y0 - half, thickness, thickness, color);
    if (x0 === x1 && y0 === y1) return;
    const e2 = 2 * err;
    if (e2 >= dy) {
      err += dy;
      x0 += sx;
    }
    if (e2 <= dx) {
      err += dx;
      y0 += sy;
    }
  }
}
