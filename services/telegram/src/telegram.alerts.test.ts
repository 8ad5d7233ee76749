import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type ControlAck, type PositionEvent, Subjects, subject } from '@ballast/contracts';
import { readDataFile, waitFor } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALLOWED, type Harness, messageTo, startHarness, TEST_TOKEN } from './testing/harness';

const [CHAT, OTHER_CHAT] = ALLOWED;

/** The first recorded Binance BTCUSDT 4h candle whose high is 1% above its close: real prices, a winning exit. */
const candle = (() => {
  const rows = readDataFile('binance-spot-ohlcv/BTCUSDT-4h.csv').trim().split('\n').slice(1);
  const candles = rows.map((row) => {
    const [openTime, open, high, low, close] = row.split(',').map(Number) as [
      number,
      number,
      number,
      number,
      number,
    ];
    return { openTime, open, high, low, close };
  });
  const found = candles.find((c) => c.high > c.close * 1.01);
  if (!found) throw new Error('no BTCUSDT 4h candle with a high 1% above its close');
  return found;
})();

/** A /readyz that the test turns down and up again. */
let healthy = true;
let readyz: Server;

let h: Harness;

beforeAll(async () => {
  readyz = createServer((_req, res) =>
    res.writeHead(healthy ? 200 : 503).end(healthy ? 'ready' : 'not ready'),
  );
  await new Promise<void>((r) => readyz.listen(0, '127.0.0.1', r));
  const port = (readyz.address() as AddressInfo).port;
  h = await startHarness('tg-alerts', {
    env: {
      TELEGRAM_ALERT_WINDOW_MS: '1500',
      TELEGRAM_ALERTS_PER_MINUTE: '60',
      TELEGRAM_ALERT_MAX_LINES: '5',
      TELEGRAM_HEALTH_URLS: JSON.stringify({ risk: `http://127.0.0.1:${port}/readyz` }),
      TELEGRAM_HEALTH_INTERVAL_MS: '250',
      TELEGRAM_CONTROL_ACK_TIMEOUT_MS: '5000',
    },
  });
}, 60_000);

afterAll(async () => {
  await h?.close();
  await new Promise((r) => readyz?.close(r));
});

/** A binance service's control.ack of a kill, done unless `a` says otherwise. */
const answerKill = (commandId: string, service: string, a: Partial<ControlAck>) =>
  h.publisher.publish(subject(Subjects.controlAck, {}), {
    service,
    exchange: 'binance',
    command: 'kill',
    commandId,
    engaged: true,
    detail: 'done',
    ...a,
  });

const position = (status: PositionEvent['status'], extra: Partial<PositionEvent> = {}): PositionEvent => ({
  status,
  positionId: `pos-${candle.openTime}`,
  strategy: 'trend_pullback',
  exchange: 'binance',
  symbol: 'BTC-USDT',
  side: 'long',
  qty: 0.01,
  avgEntry: candle.close,
  realizedPnl: 0,
  fees: 0,
  ...extra,
});

describe('alerts from the bus reach every allowed chat', () => {
  it('tells of an entry and of an exit with its P&L', async () => {
    await h.publisher.publish(subject(Subjects.positionEvent, {}), position('opened'));
    const entry = `Entry: long 0.01 BTC-USDT @ ${candle.close} on binance (trend_pullback)`;
    await messageTo(h, CHAT, entry);
    await messageTo(h, OTHER_CHAT, entry);
    // Exit at the candle's high: 0.01 × (high − close) less 0.1% fees each way. The market's running
    // figures also hold an earlier trade (+25 realised, 1.5 fees): the notice reports this trade's own.
    const fees = 0.001 * 0.01 * (candle.close + candle.high);
    const gross = 0.01 * (candle.high - candle.close);
    const pnl = gross - fees;
    await h.publisher.publish(
      subject(Subjects.positionEvent, {}),
      position('closed', {
        qty: 0,
        realizedPnl: 25 + gross,
        fees: 1.5 + fees,
        trade: { realizedPnl: gross, fees },
      }),
    );
    await messageTo(
      h,
      CHAT,
      `Exit: long BTC-USDT closed, P&L +${pnl.toFixed(2)} (fees ${Number(fees.toFixed(8))})`,
    );
  });

  it('tells of a stop hit and a take-profit hit', async () => {
    const stopPrice = Math.round(candle.close * 0.98 * 100) / 100;
    const base = {
      positionId: 'pos-s',
      exchange: 'binance',
      symbol: 'ETH-USDT',
      qty: 0.5,
      clientOrderId: 'st-1',
    };
    await h.publisher.publish(subject(Subjects.stopEvent, {}), {
      ...base,
      kind: 'triggered',
      stopPrice,
      detail: 'stop filled',
    });
    await messageTo(h, CHAT, `Stop hit: ETH-USDT on binance at ${stopPrice}, qty 0.5`);
    await h.publisher.publish(subject(Subjects.stopEvent, {}), {
      ...base,
      kind: 'take_profit',
      stopPrice: null,
      detail: 'TP1 filled',
    });
    await messageTo(h, CHAT, 'Take-profit hit: ETH-USDT on binance, qty 0.5 (TP1 filled)');
  });

  it('tells of a kill and a resume asked for, then what each service answered', async () => {
    const kill = await h.publisher.publish(subject(Subjects.kill, {}), {
      flatten: true,
      reason: 'exchange outage',
      requestedBy: 'cli:alice',
    });
    await messageTo(h, CHAT, '🚨 Kill requested with flatten by cli:alice: exchange outage');
    await waitFor(() => h.telegram.view.kill.engaged, 'the view to hold the engaged switch');
    const answer = (service: string, a: Partial<ControlAck>) => answerKill(kill.id, service, a);
    await answer('risk', { detail: 'rejecting every new entry (kill_switch)' });
    await answer('orders', { flat: false, detail: 'cancelled 1; flatten: BTC-USDT NOT flat: sell rejected' });
    await messageTo(
      h,
      CHAT,
      '🚨 Kill by cli:alice NOT confirmed: risk@binance ✓ rejecting every new entry (kill_switch); orders@binance ✗ NOT flat: cancelled 1; flatten: BTC-USDT NOT flat: sell rejected',
    );
    const resume = await h.publisher.publish(subject(Subjects.resume, {}), {
      confirm: true,
      reason: 'venue back',
      requestedBy: 'cli:alice',
    });
    await messageTo(h, CHAT, 'Resume requested by cli:alice: venue back');
    expect(h.telegram.view.kill.engaged).toBe(false);
    for (const service of ['risk', 'orders'])
      await answer(service, {
        command: 'resume',
        commandId: resume.id,
        engaged: false,
        detail: 'trading again',
      });
    await messageTo(
      h,
      CHAT,
      'Resume by cli:alice confirmed: risk@binance ✓ trading again; orders@binance ✓ trading again',
    );
  });

  it('names the services that have not answered a kill by its deadline', async () => {
    const kill = await h.publisher.publish(subject(Subjects.kill, {}), {
      flatten: false,
      reason: 'orders down',
      requestedBy: 'cli:carol',
    });
    await answerKill(kill.id, 'risk', { detail: 'rejecting every new entry (kill_switch)' });
    await messageTo(
      h,
      CHAT,
      '🚨 Kill by cli:carol NOT confirmed: risk@binance ✓ rejecting every new entry (kill_switch); no answer from orders within 5 s',
    );
  });

  it('tells of risk halts and the loss-streak pause once each, and of entries approved again', async () => {
    const denial = (reason: 'daily_loss' | 'loss_streak', detail: string) => ({
      approved: false as const,
      candidateId: `c-${reason}`,
      exchange: 'binance',
      symbol: 'BTC-USDT',
      reason,
      limit: 300,
      value: 312.5,
      detail,
    });
    const risk = subject(Subjects.riskDecision, {});
    await h.publisher.publish(risk, denial('daily_loss', 'daily loss 312.50 reached the limit 300'));
    await h.publisher.publish(risk, denial('daily_loss', 'daily loss 312.50 reached the limit 300'));
    await h.publisher.publish(risk, denial('loss_streak', '4 losses in a row: paused 4h'));
    await messageTo(h, CHAT, 'Entries halted by risk: daily loss (daily loss 312.50 reached the limit 300)');
    await messageTo(h, CHAT, 'Entries halted by risk: loss streak (4 losses in a row: paused 4h)');
    const halts = h
      .texts(CHAT)
      .join('\n')
      .match(/Entries halted by risk: daily loss/g);
    expect(halts).toHaveLength(1);
  });

  it('relays service alerts with their kind: a stop that cannot close and an LLM breaker', async () => {
    const alert = subject(Subjects.alert, {});
    await h.publisher.publish(alert, {
      severity: 'critical',
      kind: 'close_failed',
      message: 'BTC-USDT long 0.01 cannot be closed: 3 closes sent, position still open, no stop',
      labels: { service: 'stops', exchange: 'binance', symbol: 'BTC-USDT' },
    });
    await messageTo(h, CHAT, '🚨 close_failed [stops]: BTC-USDT long 0.01 cannot be closed');
    await h.publisher.publish(alert, {
      severity: 'warning',
      kind: 'llm_breaker_open',
      message: 'anthropic circuit breaker open after 3 failures',
      labels: { service: 'signals' },
    });
    await messageTo(h, CHAT, '⚠️ llm_breaker_open [signals]: anthropic circuit breaker open');
  });

  it('tells a halt from risk’s alert as it begins, and not again at the first entry it rejects', async () => {
    await h.publisher.publish(subject(Subjects.alert, {}), {
      severity: 'critical',
      kind: 'risk_halt',
      message: 'entries halted (max drawdown): equity 1600 below its peak against a limit of 1500',
      labels: { service: 'risk', halt: 'max_drawdown' },
    });
    await messageTo(h, CHAT, '🚨 risk_halt [risk]: entries halted (max drawdown)');
    await h.publisher.publish(subject(Subjects.riskDecision, {}), {
      approved: false as const,
      candidateId: 'c-drawdown',
      exchange: 'binance',
      symbol: 'BTC-USDT',
      reason: 'max_drawdown',
      limit: 1500,
      value: 1600,
      detail: 'drawdown halt since 2024-03-04T09:00:00.000Z; entries resume only on request',
    });
    // An approval after it on the same subject: once it is told, the rejection has been handled.
    await h.publisher.publish(subject(Subjects.riskDecision, {}), {
      approved: true as const,
      intent: {
        intentId: 'in-after-resume',
        candidateId: 'c-after-resume',
        strategy: 'test',
        exchange: 'binance',
        symbol: 'BTC-USDT',
        positionSide: 'long' as const,
        side: 'buy' as const,
        qty: 0.01,
        entry: 58001.04,
        stop: 57400,
        takeProfits: [59500],
        riskAmount: 6.01,
      },
    });
    await messageTo(h, CHAT, 'Risk approves entries again (was halted:');
    expect(h.texts(CHAT).join('\n')).not.toContain('Entries halted by risk: max drawdown');
  });

  it('tells of a stale feed and of its return, not of the states between', async () => {
    const status = subject(Subjects.feedStatus, { exchange: 'bybit' });
    const feed = (state: 'stale' | 'reconnecting' | 'live') => ({
      exchange: 'bybit',
      symbol: 'SOL-USDT',
      state,
      reason: state === 'stale' ? 'no trade for 60 s' : '',
      lastMessageTime: candle.openTime,
    });
    await h.publisher.publish(status, feed('stale'));
    await messageTo(h, CHAT, 'Feed stale: bybit SOL-USDT (no trade for 60 s)');
    await h.publisher.publish(status, feed('reconnecting'));
    await h.publisher.publish(status, feed('live'));
    await messageTo(h, CHAT, 'Feed live again: bybit SOL-USDT');
    expect(h.texts(CHAT).join('\n')).not.toContain('reconnecting');
  });

  it('tells of reconciliation drift, an unreadable venue and an unreconciled status', async () => {
    await h.publisher.publish(subject(Subjects.reconEvent, {}), {
      venue: 'binance',
      kind: 'missing_fill',
      before: null,
      after: { tradeId: '3381265520' },
      evidence: 'venue trade 3381265520 on BTC-USDT has no fill in our ledger',
    });
    await messageTo(h, CHAT, 'Reconciliation drift on binance (missing_fill): venue trade 3381265520');
    await h.publisher.publish(subject(Subjects.reconEvent, {}), {
      venue: 'binance',
      kind: 'unknown',
      before: null,
      after: null,
      evidence: 'GET /api/v3/openOrders timed out',
    });
    await messageTo(h, CHAT, 'Reconciliation of binance compared nothing: GET /api/v3/openOrders timed out');
    await h.publisher.publish(subject(Subjects.reconStatus, { exchange: 'binance' }), {
      venue: 'binance',
      status: 'unreconciled',
      drifts: 1,
      lastCleanAt: null,
      detail: 'missing fill',
    });
    await messageTo(h, CHAT, 'binance unreconciled: 1 drift(s), new entries blocked (missing fill)');
  });

  it('tells a drift that persists run after run once, until a clean run', async () => {
    const recon = subject(Subjects.reconEvent, {});
    const persisting = {
      venue: 'bybit',
      kind: 'order_state' as const,
      before: null,
      after: null,
      evidence: 'cancel (failed): order bl-persisting open on the venue',
    };
    const clean = { venue: 'bybit', kind: 'clean' as const, before: null, after: null, evidence: 'clean' };
    const told = () => h.texts(CHAT).join('\n').split('bl-persisting').length - 1;
    await h.publisher.publish(recon, persisting);
    await messageTo(h, CHAT, 'bl-persisting');
    await h.publisher.publish(recon, persisting);
    await h.publisher.publish(recon, { ...persisting, evidence: 'cancel (failed): order bl-marker open' });
    await messageTo(h, CHAT, 'bl-marker');
    expect(told()).toBe(1);
    await h.publisher.publish(recon, clean);
    await h.publisher.publish(recon, persisting);
    await waitFor(() => told() === 2, 'the drift told again after a clean run');
  });

  it('tells when a watched service goes down and when it is back, once each', async () => {
    await waitFor(
      () => h.telegram.health.current().find((s) => s.service === 'risk' && s.ok),
      'risk seen up',
    );
    healthy = false;
    await messageTo(h, CHAT, 'Service down: risk (HTTP 503)');
    healthy = true;
    await messageTo(h, CHAT, 'Service back: risk');
    expect(
      h
        .texts(CHAT)
        .join('\n')
        .match(/Service down: risk/g),
    ).toHaveLength(1);
  });

  it('folds a storm into one message, critical first, the rest counted', async () => {
    const before = h.api.sent('sendMessage', CHAT).length;
    const symbols = ['BTC', 'ETH', 'SOL', 'BNB', 'ADA', 'DOGE', 'XRP', 'LTC', 'DOT', 'AVAX', 'LINK', 'TRX'];
    await Promise.all(
      symbols.map((base) =>
        h.publisher.publish(subject(Subjects.feedStatus, { exchange: 'binance' }), {
          exchange: 'binance',
          symbol: `${base}-USDT`,
          state: 'stale',
          reason: 'no trade for 60 s',
          lastMessageTime: candle.openTime,
        }),
      ),
    );
    await waitFor(() => h.telegram.view.badFeeds().length >= symbols.length, 'every stale feed seen');
    await h.publisher.publish(subject(Subjects.kill, {}), {
      flatten: false,
      reason: 'feeds stale',
      requestedBy: 'cli:alice',
    });
    const storm = await messageTo(
      h,
      CHAT,
      `${symbols.length + 1} alerts (${symbols.length} stale feed, 1 kill switch)`,
    );
    const lines = storm.split('\n');
    expect(lines[1]).toBe('🚨 Kill requested by cli:alice: feeds stale');
    expect(lines.slice(2, 6).every((l) => l.startsWith('⚠️ Feed stale: binance'))).toBe(true);
    expect(lines.at(-1)).toBe(`+${symbols.length + 1 - 5} more`);
    // A later alert comes on its own: the storm was one message.
    await h.publisher.publish(subject(Subjects.alert, {}), {
      severity: 'info',
      kind: 'sentinel',
      message: 'after the storm',
      labels: {},
    });
    await messageTo(h, CHAT, 'sentinel: after the storm');
    expect(h.api.sent('sendMessage', CHAT).length - before).toBe(2);
  });

  const probe = (message: string) =>
    h.publisher.publish(subject(Subjects.alert, {}), {
      severity: 'info',
      kind: 'probe',
      message,
      labels: {},
    });

  it('sends an alert the Bot API refused once (a 5xx) again, and never logs the bot token', async () => {
    h.api.failNext('sendMessage', 500, 'Internal Server Error: try later');
    await probe('refused once');
    await messageTo(h, CHAT, 'probe: refused once');
    const tries = (text: string) =>
      h.api.sent('sendMessage').filter((c) => String(c.params.text).includes(text)).length;
    // One send per allowed chat, and the refused one once more.
    await waitFor(() => tries('refused once') === ALLOWED.length + 1, 'every chat sent to');
    const retried = h.logLines.find((l) => l.includes('telegram message not sent, trying again'));
    expect(retried).toContain('Internal Server Error: try later');
    expect(h.logLines.some((l) => l.includes('telegram message not delivered'))).toBe(false);
    expect(h.logLines.join('\n')).not.toContain(TEST_TOKEN);
    expect(h.logLines.join('\n')).not.toContain(TEST_TOKEN.split(':')[1]);
  });

  it('gives up at once on a refusal that would repeat (bot blocked: 403), logged without the token', async () => {
    const before = h.logLines.length;
    h.api.failNext('sendMessage', 403, 'Forbidden: bot was blocked by the user');
    await probe('refused for good');
    const failed = await waitFor(
      () => h.logLines.slice(before).find((l) => l.includes('telegram message not delivered')),
      'the refused send logged',
    );
    expect(failed).toContain('Forbidden: bot was blocked by the user');
    expect(h.logLines.slice(before).some((l) => l.includes('trying again'))).toBe(false);
    expect(h.logLines.join('\n')).not.toContain(TEST_TOKEN);
  });
});
