import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { sharedDataDir } from '@ballast/testkit';
import { chromium } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { type DemoResult, runDemo } from './demo';

// Real Binance spot 1h candles: BTCUSDT, ETHUSDT, SOLUSDT (binance-spot-ohlcv/*-1h.csv.gz), Oct–Dec 2021.
const ARTIFACTS = join(import.meta.dirname, '..', '..', '..', 'test-artifacts', 'backtest');
const reportDir = join(ARTIFACTS, 'demo-report');
let demo: DemoResult;

beforeAll(async () => {
  rmSync(reportDir, { recursive: true, force: true });
  mkdirSync(ARTIFACTS, { recursive: true });
  demo = await runDemo({
    dataDir: sharedDataDir(),
    from: Date.UTC(2021, 9, 1),
    to: Date.UTC(2022, 0, 1),
    reportDir,
  });
}, 240_000);

describe('ballast demo (offline: PGlite in memory, MemoryBus, rules agents, paper venue)', () => {
  it('trades over real BTC, ETH and SOL candles and writes a report', () => {
    expect(demo.result.meta.symbols).toEqual(['BTC-USDT', 'ETH-USDT', 'SOL-USDT']);
    expect(demo.result.trades.length).toBeGreaterThan(0);
    expect(existsSync(demo.reportPath)).toBe(true);
    expect(existsSync(join(reportDir, 'lightweight-charts.standalone.production.js'))).toBe(true);
    const total = demo.summaries.at(-1)!;
    expect(total.symbol).toBe('TOTAL');
    expect(total.trades).toBe(demo.result.trades.length);
    expect(total.trades).toBe(demo.summaries.slice(0, -1).reduce((s, r) => s + r.trades, 0));
  });

  it('renders in headless Chromium: canvases, no console errors, the JSON trade count', async () => {
    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--headless', '--disable-gpu'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 2400 } });
      const errors: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(pathToFileURL(demo.reportPath).href);
      await page.waitForSelector('#symbol-charts canvas');
      // Equity, drawdown and one candlestick chart per symbol each draw at least one canvas.
      const charts = await page.$$eval(
        '.chart',
        (els) => els.filter((e) => e.querySelector('canvas')).length,
      );
      expect(charts).toBe(2 + demo.result.meta.symbols.length);
      expect(await page.textContent('#trade-count')).toBe(String(demo.result.trades.length));
      expect(await page.$$eval('#symbols tbody tr', (rows) => rows.length)).toBe(demo.summaries.length);
      // The dust the run left held is listed (this period leaves some: the table is not vacuous).
      expect(demo.result.dust?.length).toBeGreaterThan(0);
      const dustSymbols = await page.$$eval('#dust tbody tr td:first-child', (tds) =>
        tds.map((td) => td.textContent),
      );
      expect(dustSymbols).toEqual(demo.result.dust!.map((d) => d.symbol));
      expect(errors).toEqual([]);
      await page.screenshot({ path: join(ARTIFACTS, 'demo-report.png'), fullPage: true });
      expect(existsSync(join(ARTIFACTS, 'demo-report.png'))).toBe(true);
    } finally {
      await browser.close();
    }
  }, 60_000);
});
