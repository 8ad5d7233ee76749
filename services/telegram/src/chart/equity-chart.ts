import { encodePng } from './png';
import { createImage, drawLine, fillRect, type Rgb, type RgbImage } from './raster';

export interface ChartSize {
  width: number;
  height: number;
}

const BACKGROUND: Rgb = [255, 255, 255];
const GRID: Rgb = [228, 231, 235];
const BASELINE: Rgb = [150, 155, 160];
export const RISING: Rgb = [22, 163, 74];
export const FALLING: Rgb = [220, 38, 38];
const MARGIN = 16;

/**
 * The equity curve as a picture: light grid, a grey line at the starting equity, the curve in green
 * when the window ended above where it started and red otherwise. No text: the figures go in the
 * message beside the image, where they can be read and copied.
 */
export function renderEquityChart(
  points: ReadonlyArray<{ time: number; equity: number }>,
  size: ChartSize = { width: 640, height: 320 },
): RgbImage {
  const image = createImage(size.width, size.height, BACKGROUND);
  const plot = { x: MARGIN, y: MARGIN, w: size.width - 2 * MARGIN, h: size.height - 2 * MARGIN };
  for (let i = 0; i <= 4; i++) fillRect(image, plot.x, plot.y + (plot.h * i) / 4, plot.w, 1, GRID);
  if (points.length === 0) return image;
  const first = points[0] as { time: number; equity: number };
  const last = points.at(-1) as { time: number; equity: number };
  const values = points.map((p) => p.equity);
  let low = Math.min(...values);
  let high = Math.max(...values);
  if (high === low) {
    high += 1;
    low -= 1;
  }
  const span = Math.max(1, last.time - first.time);
  const x = (t: number) => plot.x + ((t - first.time) / span) * (plot.w - 1);
  const y = (e: number) => plot.y + (1 - (e - low) / (high - low)) * (plot.h - 1);
  fillRect(image, plot.x, Math.round(y(first.equity)), plot.w, 1, BASELINE);
  const color = last.equity >= first.equity ? RISING : FALLING;
  // A single point still shows: a flat line across the window.
  const path = points.length === 1 ? [first, { time: first.time + span, equity: first.equity }] : points;
  for (let i = 1; i < path.length; i++) {
    const a = path[i - 1] as { time: number; equity: number };
    const b = path[i] as { time: number; equity: number };
    drawLine(image, { x: x(a.time), y: y(a.equity) }, { x: x(b.time), y: y(b.equity) }, color, 3);
  }
  return image;
}

export function equityChartPng(
  points: ReadonlyArray<{ time: number; equity: number }>,
  size?: ChartSize,
): Buffer {
  return encodePng(renderEquityChart(points, size));
}
