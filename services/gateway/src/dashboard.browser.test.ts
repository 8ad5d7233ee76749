import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  type Candle,
  type ControlAck,
  type KillCommand,
  resumeCommand,
  Subjects,
  subject,
} from '@ballast/contracts';
import { ClosedTradeRepository } from '@ballast/db';
import { waitFor } from '@ballast/testkit';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { price } from '../web/src/price';
import {
  type Harness,
  PASSWORDS,
  recordedBtcCandles,
  recordedCandles,
  startHarness,
} from './testing/harness';
import { publishCandles, publishFeatures, publishPrice, publishTradeIdea } from './testing/trading-events';

const ARTIFACTS = join(import.meta.dirname, '../../../test-artifacts/gateway');
const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

let h: Harness;
let browser: Browser;
const kills: Array<{ id: string; payload: KillCommand; eventTime: number }> = [];

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  h = await startHarness('gw_browser', { GATEWAY_PUBLIC_RESULTS: 'true' });
  await h.publisher.subscribe(
    subject(Subjects.kill, {}),
    (m) => void kills.push({ id: m.id, payload: m.payload, eventTime: m.eventTime }),
    {
      durable: 'browser-test-kills',
    },
  );
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_FLAGS });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await h?.close();
});

const money = (v: number) =>
  v.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

const utcMinute = (ms: number) => new Date(ms).toISOString().replace('T', ' ').slice(0, 16);

async function logIn(page: Page, user: string, password: string): Promise<void> {
  await page.goto(h.gateway.url);
  await page.getByLabel('user').fill(user);
  await page.getByLabel('password').fill(password);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByTestId('who').waitFor({ timeout: 30_000 });
}

describe('dashboard in a real browser', () => {
  it('shows a position appear and its P&L move live, a decision with both agents and its fills, and a confirmed kill', async () => {
    const page = await browser.newPage({ viewport: { width: 390, height: 844 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await logIn(page, 'olivia', PASSWORDS.op);
    await expect.poll(() => page.getByTestId('who').textContent()).toBe('olivia (operator)');

    const [candle, next, later] = recordedBtcCandles(3) as [Candle, Candle, Candle];
    const idea = await publishTradeIdea(h.publisher, candle);
    await publishPrice(h.publisher, candle, next.close, next.closeTime);
    const pnl = page.getByTestId(`pnl-${idea.positionId}`);
    await pnl.waitFor({ timeout: 30_000 });
    await expect
      .poll(() => pnl.textContent(), { timeout: 30_000 })
      .toBe(money((next.close - candle.close) * idea.qty));
    await page.screenshot({ path: join(ARTIFACTS, 'position-phone.png'), fullPage: true });
    await publishPrice(h.publisher, candle, later.close, later.closeTime);
    await expect
      .poll(() => pnl.textContent(), { timeout: 30_000 })
      .toBe(money((later.close - candle.close) * idea.qty));
    expect(await page.getByTestId('positions-table').textContent()).toContain('✓ verified');

    await page.getByTestId('decisions-table').getByRole('button', { name: 'open' }).first().click();
    const detail = page.getByTestId('decision-detail');
    await detail.waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('analyst-reasoning').textContent()).toBe(idea.decision.analyst?.reasoning);
    expect(await page.getByTestId('reviewer-reasoning').textContent()).toBe(
      idea.decision.reviewer?.reasons.join(' '),
    );
    expect(await page.getByTestId('decision-fills').textContent()).toContain(idea.fill.tradeId);
    await page.screenshot({ path: join(ARTIFACTS, 'decision.png'), fullPage: true });

    await page.getByRole('button', { name: 'KILL' }).click();
    await page.getByTestId('kill-dialog').waitFor();
    await page.getByLabel('reason').fill('browser test kill');
    // The kill carries an idempotency key, so a retry of it is the same command.
    const killSent = page.waitForRequest(
      (r) => r.url().endsWith('/api/control/kill') && r.method() === 'POST',
    );
    // An impatient double click sends one kill, not two.
    await page.getByRole('button', { name: 'Confirm kill' }).dblclick();
    expect((await killSent).headers()['idempotency-key']).toMatch(/^[0-9a-f]{32}$/);
    const seen = await waitFor(
      () => kills.find((k) => k.payload.reason === 'browser test kill'),
      'control.kill on the bus',
      {
        timeoutMs: 30_000,
      },
    );
    expect(seen.payload).toEqual({
      flatten: false,
      reason: 'browser test kill',
      requestedBy: 'gateway:olivia',
    });
    await expect
      .poll(() => page.getByTestId('kill-state').textContent(), { timeout: 30_000 })
      .toBe('ENGAGED (no flatten): browser test kill');
    const recorded = (await page.evaluate(async () => (await fetch('/api/control')).json())) as {
      actions: Array<{ reason: string }>;
    };
    expect(recorded.actions.filter((a) => a.reason === 'browser test kill')).toHaveLength(1);
    expect(kills.filter((k) => k.payload.reason === 'browser test kill')).toHaveLength(1);
    await page.screenshot({ path: join(ARTIFACTS, 'kill-engaged.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  }, 180_000);

  it('shows a flatten that left a position open as ✗ NOT flat, and tells a kill or resume that did not go through', async () => {
    const kill = await waitFor(
      () => kills.find((k) => k.payload.reason === 'browser test kill'),
      'the kill engaged by the test before',
    );
    const ack = (a: Omit<ControlAck, 'command' | 'commandId' | 'engaged'>): ControlAck => ({
      command: 'kill',
      commandId: kill.id,
      engaged: true,
      ...a,
    });
    await h.publisher.publish(
      subject(Subjects.controlAck, {}),
      ack({ service: 'risk', exchange: 'binance', detail: 'rejecting every new entry (kill_switch)' }),
    );
    await h.publisher.publish(
      subject(Subjects.controlAck, {}),
      ack({
        service: 'orders',
        exchange: 'binance',
        flat: false,
        detail: 'flatten: BTC-USDT NOT flat: sell rejected',
      }),
    );
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('dialog', (d) => void d.accept());
    await logIn(page, 'olivia', PASSWORDS.op);
    await expect
      .poll(() => page.getByTestId('kill-acks').textContent(), { timeout: 30_000 })
      .toBe('risk@binance ✓orders@binance ✗ NOT flat: flatten: BTC-USDT NOT flat: sell rejected');

    // The gateway cannot reach the bus: the resume is refused, and the page says so.
    await page.route('**/api/control/resume', (route) =>
      route.fulfill({
        status: 503,
        contentType: 'application/json',
        body: JSON.stringify({
          error: 'bus_unavailable',
          message: 'the resume command could not be published',
        }),
      }),
    );
    // A resume from a host whose clock is a minute behind the kill: the switch stays, risk refuses it.
    const stale = await h.publisher.publish(
      subject(Subjects.resume, {}),
      resumeCommand({ reason: 'stale resume', requestedBy: 'cli:slow-host' }),
      { eventTime: kill.eventTime - 60_000 },
    );
    await h.publisher.publish(subject(Subjects.controlAck, {}), {
      service: 'risk',
      exchange: 'binance',
      command: 'resume',
      commandId: stale.id,
      engaged: true,
      detail: `not applied: command ${kill.id}, given after it, is in force`,
    });
    await expect
      .poll(() => page.getByTestId('kill-ignored').textContent(), { timeout: 30_000 })
      .toBe(
        `resume by cli:slow-host was not applied: a later command is in force` +
          `risk@binance ✗ not applied: command ${kill.id}, given after it, is in force` +
          // orders has not answered the stale resume: named, not left out.
          'no answer yet from orders ✗',
      );
    expect(await page.getByTestId('kill-state').textContent()).toBe(
      'ENGAGED (no flatten): browser test kill',
    );

    await page.getByRole('button', { name: 'Resume' }).click();
    await expect
      .poll(() => page.getByTestId('control-error').textContent(), { timeout: 30_000 })
      .toBe('The resume did not go through: the resume command could not be published');
    expect(await page.getByTestId('control-error').getAttribute('role')).toBe('alert');
    await page.unroute('**/api/control/resume');
    // Published, its audit record lost (the database down): sent, and the page says what is missing.
    await page.route('**/api/control/resume', async (route) => {
      const res = await route.fetch();
      const { commandId } = (await res.json()) as { commandId: string };
      await route.fulfill({ response: res, json: { commandId, audit: 'not stored' } });
    });
    await page.getByRole('button', { name: 'Resume' }).click();
    await expect.poll(() => page.getByTestId('kill-state').textContent(), { timeout: 30_000 }).toBe('off');
    await expect
      .poll(() => page.getByTestId('control-error').textContent(), { timeout: 30_000 })
      .toMatch(/^The resume was sent \(\S+\), but the gateway could not record it \(audit not stored\)\.$/);
    await page.unroute('**/api/control/resume');

    // A kill with its reason emptied is refused (400): the dialog stays open and says why.
    await page.getByRole('button', { name: 'KILL' }).click();
    await page.getByLabel('reason').fill('');
    await page.getByRole('button', { name: 'Confirm kill' }).click();
    const refused = page.getByTestId('kill-error');
    await expect.poll(() => refused.isVisible(), { timeout: 30_000 }).toBe(true);
    expect(await refused.textContent()).toMatch(/^The kill did not go through: \S/);
    expect(await refused.getAttribute('role')).toBe('alert');
    expect(await page.getByTestId('kill-dialog').getAttribute('open')).toBe('');
    expect(kills.filter((k) => k.payload.reason === '')).toEqual([]);
    await page.screenshot({ path: join(ARTIFACTS, 'kill-refused.png'), fullPage: true });
    expect(errors).toEqual([]);
    await page.close();
  }, 180_000);

  it('gives a viewer no kill button, and the API refuses the viewer’s kill', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await logIn(page, 'victor', PASSWORDS.view);
    await page.getByTestId('kill-state').waitFor({ timeout: 30_000 });
    expect(await page.getByRole('button', { name: 'KILL' }).count()).toBe(0);
    const status = await page.evaluate(async () => {
      const s = (await (await fetch('/api/session')).json()) as { csrfToken: string };
      const res = await fetch('/api/control/kill', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': s.csrfToken },
        body: JSON.stringify({ flatten: true, reason: 'viewer from the page' }),
      });
      return res.status;
    });
    expect(status).toBe(403);
    expect(kills.some((k) => k.payload.reason === 'viewer from the page')).toBe(false);
    await page.screenshot({ path: join(ARTIFACTS, 'viewer.png'), fullPage: true });
    await page.close();
  }, 120_000);

  it('returns to the login form when the session ends: ended elsewhere (its live stream refused), or by Log out', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await logIn(page, 'victor', PASSWORDS.view);
    await page.getByTestId('kill-state').waitFor({ timeout: 30_000 });
    // Another tab logs the session out: the gateway ends this page's stream and refuses its reconnect (401).
    await page.evaluate(async () => {
      const s = (await (await fetch('/api/session')).json()) as { csrfToken: string };
      await fetch('/api/logout', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': s.csrfToken },
        body: '{}',
      });
    });
    const alert = page.getByRole('alert');
    await alert.waitFor({ timeout: 30_000 });
    expect(await alert.textContent()).toContain('Your session ended');
    expect(await page.getByTestId('who').count()).toBe(0);

    await logIn(page, 'victor', PASSWORDS.view);
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByLabel('user').waitFor({ timeout: 30_000 });
    expect(await page.evaluate(async () => (await fetch('/api/session')).status)).toBe(401);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('draws the Market view: recorded candles on a chart canvas with S/R, our stop and our entry marked', async () => {
    const candles = recordedCandles('ETHUSDT', 80);
    const last = candles.at(-1) as Candle;
    await publishCandles(h.publisher, candles);
    const features = await publishFeatures(h.publisher, last);
    const idea = await publishTradeIdea(h.publisher, last);
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await logIn(page, 'victor', PASSWORDS.view);
    const series = `${last.exchange}:${last.symbol}:${last.timeframe}`;
    await expect.poll(() => page.getByLabel('market').inputValue(), { timeout: 30_000 }).toBe(series);
    const chart = page.getByTestId('market-chart');
    await expect.poll(() => chart.getAttribute('data-markers'), { timeout: 30_000 }).toBe('1');
    expect(await chart.locator('canvas').count()).toBeGreaterThan(0);
    expect(await page.getByTestId('market-markers').textContent()).toContain(
      `entry buy ${idea.qty} @ ${price(idea.entry)}`,
    );
    await expect
      .poll(() => page.getByTestId('market-levels').textContent(), { timeout: 30_000 })
      .toBe(
        `Support ${price(features.support[0] as number)} · Resistance ${price(features.resistance[0] as number)} · Stops ${price(idea.stop)}`,
      );
    await chart.scrollIntoViewIfNeeded();
    await chart.screenshot({ path: join(ARTIFACTS, 'market-chart.png') });
    expect(errors).toEqual([]);
    await page.close();
  }, 180_000);

  it('shows a low-priced coin’s entry, mark, stop and take-profit to their significant digits, not as 0.00', async () => {
    const [candle, next] = recordedCandles('DOGEUSDT', 2) as [Candle, Candle];
    const idea = await publishTradeIdea(h.publisher, candle);
    await publishPrice(h.publisher, candle, next.close, next.closeTime);
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await logIn(page, 'victor', PASSWORDS.view);
    const row = page.getByTestId('positions-table').locator('tr', { hasText: candle.symbol });
    await expect
      .poll(() => row.locator('td').nth(4).textContent(), { timeout: 30_000 })
      .toBe(`0.0036881 (stale: ${utcMinute(next.closeTime)} UTC)`);
    const cells = await row.locator('td').allTextContents();
    expect(cells.slice(3, 8)).toEqual([
      '0.0037379',
      `0.0036881 (stale: ${utcMinute(next.closeTime)} UTC)`,
      money((next.close - candle.close) * idea.qty),
      '0.00366314 ✓ verified',
      '0.00388742',
    ]);
    expect([idea.stop, idea.tp]).toEqual([0.00366314, 0.00388742]);
    // Its chart's price axis too: eight decimals as in the table, not the library's two (0.00).
    await publishCandles(h.publisher, recordedCandles('DOGEUSDT', 30));
    const series = `${candle.exchange}:${candle.symbol}:${candle.timeframe}`;
    const picker = page.getByLabel('market');
    await expect
      .poll(() => picker.locator('option').allTextContents(), { timeout: 30_000 })
      .toContain(series);
    await picker.selectOption(series);
    await expect
      .poll(() => page.getByTestId('market-chart').getAttribute('data-price-precision'), { timeout: 30_000 })
      .toBe('8');
    await page.close();
  }, 120_000);

  it('says a position’s mark is stale once no price has come for a minute, with no live event to redraw the page', async () => {
    const [candle] = recordedCandles('XRPUSDT', 1) as [Candle];
    const idea = await publishTradeIdea(h.publisher, candle);
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.clock.install();
    await logIn(page, 'victor', PASSWORDS.view);
    const printed = Date.now();
    await publishPrice(h.publisher, candle, 0.3125, printed);
    const mark = page.getByTestId(`mark-${idea.positionId}`);
    await expect.poll(() => mark.textContent(), { timeout: 30_000 }).toBe('0.3125');
    // The feed stops: no trade, no candle, no event reaches the page; only time passes.
    await page.clock.fastForward(90_000);
    await expect
      .poll(() => mark.textContent(), { timeout: 30_000 })
      .toBe(`0.3125 (stale: ${utcMinute(printed)} UTC)`);
    expect(await mark.getAttribute('class')).toBe('stale');
    await page.close();
  }, 120_000);

  it('keeps the kill button while the switch is engaged, so a kill without flatten can still be made to flatten', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await logIn(page, 'olivia', PASSWORDS.op);
    const killWith = async (reason: string, flatten: boolean) => {
      await page.getByRole('button', { name: 'KILL' }).click();
      await page.getByTestId('kill-dialog').waitFor();
      await page.getByLabel('reason').fill(reason);
      await page.getByLabel('flatten').setChecked(flatten);
      await page.getByRole('button', { name: 'Confirm kill' }).click();
      await expect
        .poll(() => page.getByTestId('kill-state').textContent(), { timeout: 30_000 })
        .toBe(`ENGAGED (${flatten ? 'flatten' : 'no flatten'}): ${reason}`);
    };
    await killWith('entries stopped, positions kept', false);
    // The market turns: the operator now wants out of every position, from the same page.
    await killWith('flatten everything now', true);
    const flattened = await waitFor(
      () => kills.find((k) => k.payload.reason === 'flatten everything now'),
      'the flattening kill on the bus',
      { timeoutMs: 30_000 },
    );
    expect(flattened.payload).toEqual({
      flatten: true,
      reason: 'flatten everything now',
      requestedBy: 'gateway:olivia',
    });
    expect(await page.getByRole('button', { name: 'Resume' }).count()).toBe(1);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it('renders the public results page without logging in', async () => {
    const repo = new ClosedTradeRepository(h.db);
    const [a, b, c] = recordedBtcCandles(4).slice(1) as [Candle, Candle, Candle];
    // The trades close on the two days before today: one at 00:01 today would lie in the future
    // (left out of the results) when the test runs in the first minute after midnight UTC.
    const DAY = 86_400_000;
    const day = Math.floor(Date.now() / DAY) * DAY;
    const trades = [
      {
        tradeKey: 'pub-1',
        pnl: (b.close - a.close) * 0.02 - 0.2,
        fees: 0.2,
        closeTime: day - 2 * DAY + 60_000,
      },
      { tradeKey: 'pub-2', pnl: (c.close - b.close) * 0.02 - 0.2, fees: 0.2, closeTime: day - DAY + 60_000 },
    ];
    for (const t of trades)
      await repo.record({ ...t, strategy: 'trend_pullback', exchange: 'binance', symbol: a.symbol });
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${h.gateway.url}/public`);
    await page.getByTestId('public-metrics').waitFor({ timeout: 30_000 });
    const net = trades.reduce((s, t) => s + t.pnl, 0);
    expect(await page.locator('[data-metric="Net P&L"]').textContent()).toBe(money(net));
    expect(await page.locator('[data-metric="Trades"]').textContent()).toBe('2');
    expect(await page.getByTestId('public-trades').textContent()).toContain(money(trades[0]?.pnl as number));
    const computed = (await page.getByTestId('public-computed').textContent()) ?? '';
    expect(computed).toMatch(/^computed \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC$/);
    // One row per UTC day from the first trade's to the computation's: three, or four had midnight
    // passed since the trades were made.
    const computedDay = Date.parse(computed.slice('computed '.length, 'computed '.length + 10));
    expect(await page.getByTestId('public-daily').locator('tbody tr').count()).toBe(
      (computedDay - (day - 2 * DAY)) / DAY + 1,
    );
    expect(await page.getByTestId('public-curve').locator('canvas').count()).toBeGreaterThan(0);
    expect(await page.getByLabel('password').count()).toBe(0);
    expect(await context.cookies()).toEqual([]);
    await page.screenshot({ path: join(ARTIFACTS, 'public-phone.png'), fullPage: true });
    expect(errors).toEqual([]);
    await context.close();
  }, 120_000);
});
