import { describe, expect, it } from 'vitest';
import { countColor, readPng } from '../testing/png-reader';
import { equityChartPng, FALLING, RISING } from './equity-chart';
import { crc32 } from './png';
import { createImage, drawLine, getPixel } from './raster';

describe('PNG encoding and the equity chart', () => {
  it('computes the standard CRC-32 check value', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
  });

  it('draws a line end to end, diagonal included', () => {
    const image = createImage(10, 10, [0, 0, 0]);
    drawLine(image, { x: 0, y: 0 }, { x: 9, y: 9 }, [255, 0, 0]);
    for (let i = 0; i < 10; i++) expect(getPixel(image, i, i)).toEqual([255, 0, 0]);
    expect(getPixel(image, 9, 0)).toEqual([0, 0, 0]);
  });

  it('encodes a valid truecolour PNG of the requested size whose pixels read back', () => {
    const points = [
      { time: 0, equity: 10_000 },
      { time: 1, equity: 10_100 },
      { time: 2, equity: 10_050 },
      { time: 3, equity: 10_250 },
    ];
    const png = readPng(equityChartPng(points, { width: 320, height: 160 }));
    expect(png).toMatchObject({ width: 320, height: 160, bitDepth: 8, colorType: 2 });
    expect(png.chunks).toEqual(['IHDR', 'IDAT', 'IEND']);
    expect(countColor(png, RISING)).toBeGreaterThan(300);
    expect(countColor(png, FALLING)).toBe(0);
  });

  it('draws a losing window in red', () => {
    const png = readPng(
      equityChartPng([
        { time: 0, equity: 10_000 },
        { time: 5, equity: 9_700 },
      ]),
    );
    expect(countColor(png, FALLING)).toBeGreaterThan(300);
    expect(countColor(png, RISING)).toBe(0);
  });
});
