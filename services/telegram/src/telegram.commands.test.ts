import { type Envelope, type KillCommand, type ResumeCommand, Subjects, subject } from '@ballast/contracts';
import { periodStart, readinessKeys } from '@ballast/core';
import { BotStateRepository, type ClosedTradeRecord, ClosedTradeRepository } from '@ballast/db';
import { SystemClock } from '@ballast/service-kit';
import { waitFor } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notOperatorRefusal } from './commands/control-commands';
import { HELP } from './commands/replies';
import { ALLOWED, type Harness, messageTo, STRANGER, startHarness } from './testing/harness';
import { recordedRoundTrips } from './testing/seed-trades';

const [CHAT, OTHER_CHAT] = ALLOWED;
const OLIVIA = { id: CHAT, username: 'olivia' };
/** An allowed group where two operators talk to the bot. */
const GROUP = -100_333_333;
const ALICE = { id: 501, username: 'alice' };
const BOB = { id: 502, username: 'bob' };
/** Every anonymous admin of a group arrives as this one account, the message on behalf of the group. */
const ANONYMOUS_ADMIN = { id: 1_087_968_824, username: 'GroupAnonymousBot' };
const TTL_MS = 2_000;
/**
 * The bot's clock starts at Wednesday 2026-08-05 14:00 UTC and runs on, so no day, week or month
 * begins during the test, whenever it runs. Its week began on Monday the 3rd, its month on Saturday
 * the 1st: the twelve trades, 10 h apart and the last an hour before, fall 2 today, 7 this week, 11
 * this month and one before it.
 */
const START = Date.UTC(2026, 7, 5, 14);
const offset = START - Date.now();
const clock = { now: () => Date.now() + offset };
const trades: ClosedTradeRecord[] = recordedRoundTrips(12, START - 3_600_000, 10);

let h: Harness;
const kills: Envelope<KillCommand>[] = [];
const resumes: Envelope<ResumeCommand>[] = [];

beforeAll(async () => {
  h = await startHarness('tg-commands', {
    clock,
    env: {
      TELEGRAM_CONFIRM_TTL_MS: String(TTL_MS),
      TELEGRAM_ALERT_WINDOW_MS: '200',
      TELEGRAM_ALLOWED_CHAT_IDS: [...ALLOWED, GROUP].join(','),
      // Olivia in her private chat, Alice in the group; Bob, in the group too, is not an operator.
      TELEGRAM_OPERATOR_IDS: [OLIVIA.id, ALICE.id].join(','),
    },
    seed: async (db) => {
      const repo = new ClosedTradeRepository(db);
      for (const t of trades) await repo.record(t);
      await new BotStateRepository(db, new SystemClock()).set(readinessKeys.lifecycle('trend_pullback'), {
        state: 'shadow',
        reason: 'paper',
        detail: 'paper trading',
        since: trades[0]?.closeTime ?? START,
      });
    },
  });
  await h.bus.subscribe(subject(Subjects.kill, {}), (m) => void kills.push(m), { durable: 'test-kills' });
  await h.bus.subscribe(subject(Subjects.resume, {}), (m) => void resumes.push(m), {
    durable: 'test-resumes',
  });
}, 60_000);

afterAll(async () => {
  await h?.close();
});

/** Alerts from the bus share the chat with replies; they open with a severity icon or a count. */
const isAlert = (text: string) => /^(ℹ️|⚠️|🚨|\d+ alerts \()/u.test(text);

/** Sends a command and waits for the bot's next reply (not an alert) in that chat. */
async function ask(text: string, chatId: number = CHAT): Promise<string> {
  const before = h.api.sent('sendMessage', chatId).length;
  h.api.sendText(chatId, text, chatId === CHAT ? OLIVIA : { id: chatId });
  const call = await waitFor(
    () =>
      h.api
        .sent('sendMessage', chatId)
        .slice(before)
        .find((c) => !isAlert(String(c.params.text))),
    `a reply to ${text}`,
    { timeoutMs: 20_000 },
  );
  return String(call.params.text);
}

const money = (n: number) => `${n < 0 ? '-' : '+'}${Math.abs(n).toFixed(2)}`;
const sumSince = (from: number) => {
  const picked = trades.filter((t) => t.closeTime >= from);
  return {
    pnl: picked.reduce((s, t) => s + t.pnl, 0),
    fees: picked.reduce((s, t) => s + t.fees, 0),
    n: picked.length,
  };
};

/** The callback data of the Confirm and Cancel buttons of the last question sent to `chatId`. */
function buttons(chatId: number): { confirm: string; cancel: string } {
  const q = h.api.sent('sendMessage', chatId).findLast((c) => c.params.reply_markup);
  if (!q) throw new Error(`no question with buttons was sent to ${chatId}`);
  const markup = q.params.reply_markup as { inline_keyboard: { text: string; callback_data: string }[][] };
  const row = markup.inline_keyboard[0];
  return { confirm: row?.[0]?.callback_data ?? '', cancel: row?.[1]?.callback_data ?? '' };
}

describe('commands from an allowed chat', () => {
  it('/help lists every command', async () => {
    expect(await ask('/help')).toBe(HELP);
  });

  it('/pnl sums the closed trades of the day, the week and the month, net of fees', async () => {
    for (const [period, n] of [
      ['day', 2],
      ['week', 7],
      ['month', 11],
    ] as const) {
      const expected = sumSince(periodStart(clock.now(), period));
      expect(expected.n).toBe(n);
      const reply = await ask(`/pnl ${period}`);
      expect(reply).toContain(`Net ${money(expected.pnl)}`);
      expect(reply).toContain(`${expected.n} trade(s)`);
      expect(reply).toContain(`Fees ${expected.fees.toFixed(2)}`);
    }
    expect(await ask('/pnl year')).toBe('Usage: /pnl [day|week|month]');
  });

  it('/positions and /status show the open position, its stop, the switch and today', async () => {
    await h.publisher.publish(subject(Subjects.positionEvent, {}), {
      status: 'opened',
      positionId: 'pos-1',
      strategy: 'trend_pullback',
      exchange: 'binance',
      symbol: 'BTC-USDT',
      side: 'long',
      qty: 0.02,
      avgEntry: 43_120.5,
      realizedPnl: 0,
      fees: 0.86,
    });
    await h.publisher.publish(subject(Subjects.stopEvent, {}), {
      kind: 'placed',
      positionId: 'pos-1',
      exchange: 'binance',
      symbol: 'BTC-USDT',
      stopPrice: 42_258.09,
      qty: 0.02,
      clientOrderId: 'st-pos-1',
      detail: '',
    });
    await waitFor(() => h.telegram.view.positions.get('pos-1')?.stopPrice, 'the stop on the position');
    expect(await ask('/positions')).toBe(
      'Open positions (1):\nBTC-USDT long 0.02 @ 43120.5 on binance, stop 42258.09 (trend_pullback)',
    );
    const today = sumSince(periodStart(clock.now(), 'day'));
    const status = await ask('/status');
    expect(status).toContain('Kill switch: off');
    expect(status).toContain('Halts: none');
    expect(status).toContain('Open positions: 1');
    expect(status).toContain(`Today: ${money(today.pnl)} over ${today.n} trade(s)`);
  });

  it('/readiness shows each strategy’s lifecycle and every gate criterion with its figure', async () => {
    const reply = await ask('/readiness');
    expect(reply).toMatch(/^breakout: shadow \(not recorded\); gate not passed/);
    expect(reply).toContain('trend_pullback: shadow since');
    const criteria = reply.split('\n').filter((l) => /^ {2}(✅|❌) /.test(l));
    expect(criteria).toHaveLength(16);
    const trendTrades = trades.filter((t) => t.strategy === 'trend_pullback').length;
    expect(reply).toContain(`closed_trades ${trendTrades} (needs >= `);
    // Risk stored no equity for the account: Sharpe and drawdown are unmeasured, not judged on TELEGRAM_INITIAL_EQUITY.
    expect(reply).toContain('❌ sharpe n/a (needs > ');
    expect(reply).toContain('❌ max_drawdown n/a (needs < ');
  });
});

describe('kill and resume ask to confirm', () => {
  it('/kill flatten asks; Confirm publishes control.kill as the CLI does, named after the chat and user', async () => {
    const question = await ask('/kill flatten venue misbehaving');
    expect(question).toContain('Engage the kill switch and FLATTEN every position?');
    expect(kills).toHaveLength(0);
    h.api.pressButton(CHAT, 1, buttons(CHAT).confirm, OLIVIA);
    await waitFor(() => kills.length === 1, 'control.kill on the bus');
    expect(kills[0]?.payload).toEqual({
      flatten: true,
      reason: 'venue misbehaving',
      requestedBy: `telegram:${CHAT}:${OLIVIA.id}:olivia`,
    });
    expect(kills[0]?.source).toBe('telegram');
    await messageTo(h, CHAT, `Kill switch command published (id ${kills[0]?.id})`);
    // Pressing again does nothing: a request is good once.
    h.api.pressButton(CHAT, 1, buttons(CHAT).confirm, OLIVIA);
    await waitFor(
      () =>
        h.api
          .sent('answerCallbackQuery')
          .some((c) => String(c.params.text).startsWith('This request is no longer')),
      'the second press refused',
    );
  });

  it('a button from another chat does nothing, and the asking chat can still confirm', async () => {
    await ask('/resume venue is back');
    const { confirm } = buttons(CHAT);
    h.api.pressButton(OTHER_CHAT, 1, confirm);
    await waitFor(
      () =>
        h.api
          .sent('answerCallbackQuery')
          .some((c) => c.params.text === 'Only the chat that asked can confirm this.'),
      'the other chat refused',
    );
    expect(resumes).toHaveLength(0);
    h.api.pressButton(CHAT, 1, confirm, OLIVIA);
    await waitFor(() => resumes.length === 1, 'control.resume on the bus');
    expect(resumes[0]?.payload).toEqual({
      confirm: true,
      reason: 'venue is back',
      requestedBy: `telegram:${CHAT}:${OLIVIA.id}:olivia`,
    });
  });

  it('in a group, only the user who asked can confirm or cancel, so the command carries the right name', async () => {
    const asked = h.api.sent('sendMessage', GROUP).length;
    h.api.sendText(GROUP, '/kill flatten alice sees a runaway', ALICE);
    await waitFor(() => h.api.sent('sendMessage', GROUP).length > asked, 'the question in the group');
    const { confirm, cancel } = buttons(GROUP);
    const refusal =
      'Only the person who asked can confirm or cancel this; ask yourself to act under your name.';
    const refusals = () => h.api.sent('answerCallbackQuery').filter((c) => c.params.text === refusal).length;
    h.api.pressButton(GROUP, 1, confirm, BOB);
    await waitFor(() => refusals() === 1, "bob's confirm refused");
    h.api.pressButton(GROUP, 1, cancel, BOB);
    await waitFor(() => refusals() === 2, "bob's cancel refused");
    expect(kills).toHaveLength(1);
    // Still pending for alice, and published under her name.
    h.api.pressButton(GROUP, 1, confirm, ALICE);
    await waitFor(() => kills.length === 2, "alice's kill on the bus");
    expect(kills[1]?.payload).toEqual({
      flatten: true,
      reason: 'alice sees a runaway',
      requestedBy: `telegram:${GROUP}:${ALICE.id}:alice`,
    });
    expect(
      h.logLines.filter((l) => l.includes('control confirmation refused') && l.includes('"fromId":502')),
    ).toHaveLength(2);
  });

  it('a member of an allowed group who is not an operator cannot ask: told so, counted and logged, nothing sent', async () => {
    const asked = h.api.sent('sendMessage', GROUP).length;
    const published = kills.length + resumes.length;
    h.api.sendText(GROUP, '/kill flatten bob wants out', BOB);
    await messageTo(h, GROUP, notOperatorRefusal(BOB.id));
    expect(notOperatorRefusal(BOB.id)).toContain('Your Telegram user id is 502.');
    const replies = h.api
      .sent('sendMessage', GROUP)
      .slice(asked)
      .filter((c) => !isAlert(String(c.params.text)));
    expect(replies.map((c) => c.params.reply_markup ?? null)).toEqual([null]);
    expect(kills.length + resumes.length).toBe(published);
    expect(
      h.logLines.filter((l) => l.includes('who is not an operator refused') && l.includes('"fromId":502')),
    ).toHaveLength(1);
    expect(await h.metrics.metrics()).toContain(
      'ballast_telegram_control_total{action="kill",outcome="not_operator"} 1',
    );
  });

  it('an anonymous admin can neither ask nor confirm: asked to send as themselves, counted and logged', async () => {
    const refusal =
      'Kill and resume cannot be asked or confirmed anonymously: nobody could be named as having done it. Send as yourself (turn off "Remain anonymous") and ask again.';
    const anonymousLogs = () =>
      h.logLines.filter((l) => l.includes('control command from an anonymous sender refused'));
    const asked = h.api.sent('sendMessage', GROUP).length;
    h.api.sendText(GROUP, '/resume anonymous says go', ANONYMOUS_ADMIN, GROUP);
    await messageTo(h, GROUP, refusal);
    expect(
      h.api
        .sent('sendMessage', GROUP)
        .slice(asked)
        .map((c) => String(c.params.text))
        .filter((t) => !isAlert(t)),
    ).toEqual([refusal]);
    // A message on behalf of the group is refused whatever its from says.
    h.api.sendText(GROUP, '/kill', ALICE, GROUP);
    await waitFor(() => anonymousLogs().length === 2, 'the second anonymous request refused');
    // Alice asks as herself; the shared anonymous account cannot press her buttons.
    h.api.sendText(GROUP, '/resume alice checked', ALICE);
    await messageTo(h, GROUP, 'Lift the kill switch and let trading resume?');
    const { confirm, cancel } = buttons(GROUP);
    h.api.pressButton(GROUP, 1, confirm, ANONYMOUS_ADMIN);
    h.api.pressButton(GROUP, 1, cancel, ANONYMOUS_ADMIN);
    await waitFor(
      () => h.api.sent('answerCallbackQuery').filter((c) => c.params.text === refusal).length === 2,
      'both anonymous presses refused',
    );
    expect(resumes).toHaveLength(1);
    expect(anonymousLogs()).toHaveLength(4);
    expect(anonymousLogs().filter((l) => l.includes('"fromId":1087968824'))).toHaveLength(3);
    expect(anonymousLogs().filter((l) => l.includes(`"senderChatId":${GROUP}`))).toHaveLength(2);
    const metrics = await h.metrics.metrics();
    expect(metrics).toContain('ballast_telegram_control_total{action="resume",outcome="anonymous"} 1');
    expect(metrics).toContain('ballast_telegram_control_total{action="kill",outcome="anonymous"} 1');
    expect(metrics).toContain('ballast_telegram_control_total{action="unknown",outcome="anonymous"} 2');
    // Still pending for alice, published under her name.
    h.api.pressButton(GROUP, 1, confirm, ALICE);
    await waitFor(() => resumes.length === 2, "alice's resume on the bus");
    expect(resumes[1]?.payload.requestedBy).toBe(`telegram:${GROUP}:${ALICE.id}:alice`);
  });

  it('an expired or cancelled request publishes nothing', async () => {
    await ask('/kill');
    const expiring = buttons(CHAT).confirm;
    const askedAt = Date.now();
    await waitFor(() => Date.now() - askedAt > TTL_MS + 100, 'the confirmation to expire', {
      timeoutMs: TTL_MS * 3,
    });
    h.api.pressButton(CHAT, 1, expiring, OLIVIA);
    await messageTo(h, CHAT, 'This request expired; nothing was sent. Ask again.');
    await ask('/kill');
    h.api.pressButton(CHAT, 1, buttons(CHAT).cancel, OLIVIA);
    await messageTo(h, CHAT, 'Cancelled: nothing was sent.');
    // A confirmed request after them is the only new command on the bus.
    await ask('/resume');
    h.api.pressButton(CHAT, 1, buttons(CHAT).confirm, OLIVIA);
    await waitFor(() => resumes.length === 3, 'the third resume');
    expect(resumes[2]?.payload.reason).toBe('resume from Telegram');
    expect(kills).toHaveLength(2);
  });

  it('/resume clear-drawdown asks about the drawdown halt and publishes clearDrawdown as the CLI does', async () => {
    const question = await ask('/resume clear-drawdown reviewed the losses');
    expect(question).toContain('Lift the kill switch AND the max-drawdown halt');
    h.api.pressButton(CHAT, 1, buttons(CHAT).confirm, OLIVIA);
    await waitFor(() => resumes.length === 4, 'the clearing resume on the bus');
    expect(resumes[3]?.payload).toEqual({
      confirm: true,
      reason: 'reviewed the losses',
      requestedBy: `telegram:${CHAT}:${OLIVIA.id}:olivia`,
      clearDrawdown: true,
    });
  });
});

describe('a chat that is not allowed', () => {
  it('is ignored, counted and logged without the message text', async () => {
    h.api.sendText(STRANGER, '/kill flatten words-only-the-stranger-typed');
    const counted = async () =>
      (await h.metrics.getSingleMetricAsString('ballast_telegram_updates_ignored_total')).includes(
        'ballast_telegram_updates_ignored_total{update="message"} 1',
      );
    await waitFor(counted, 'the ignored update counted');
    const logged = h.logLines.filter((l) => l.includes('not allowed'));
    expect(logged).toHaveLength(1);
    expect(logged[0]).toContain(`"chatId":${STRANGER}`);
    expect(h.logLines.join('\n')).not.toContain('words-only-the-stranger-typed');
    // Allowed chats are still answered afterwards, and the stranger never was.
    await ask('/help');
    expect(h.api.sent('sendMessage', STRANGER)).toHaveLength(0);
    expect(kills).toHaveLength(2);
  });
});
