import type { Bus } from '@ballast/bus';
import { type IdGenerator, resumeCommand, Subjects, subject } from '@ballast/contracts';
import type { Logger } from '@ballast/service-kit';
import { type Bot, type Context, InlineKeyboard } from 'grammy';
import { Counter, type Registry } from 'prom-client';
import type { ControlAction, PendingConfirmations, RefusedConfirmation } from '../state/confirmations';
import { chatOf } from './access';
import { isAnonymousSender } from './anonymous-sender';

export interface ControlCommandDeps {
  bot: Bot;
  bus: Bus;
  ids: IdGenerator;
  log: Logger;
  metrics: Registry;
  confirmations: PendingConfirmations;
  ttlMs: number;
  /** Telegram user ids who may ask for kill and resume (only the asker can confirm). */
  operators: ReadonlySet<number>;
}

const REFUSAL: Record<RefusedConfirmation, string> = {
  unknown: 'This request is no longer pending; nothing was sent.',
  expired: 'This request expired; nothing was sent. Ask again.',
  other_chat: 'Only the chat that asked can confirm this.',
  other_user: 'Only the person who asked can confirm or cancel this; ask yourself to act under your name.',
};

/** The answer to a control command or button press from an anonymous admin or a chat. */
export const ANONYMOUS_REFUSAL =
  'Kill and resume cannot be asked or confirmed anonymously: nobody could be named as having done it. Send as yourself (turn off "Remain anonymous") and ask again.';

/** The answer to a kill or resume asked by someone who is not one of TELEGRAM_OPERATOR_IDS. */
export const notOperatorRefusal = (userId: number | undefined) =>
  `Only the operators named in TELEGRAM_OPERATOR_IDS can ask for kill or resume; nothing was sent. Your Telegram user id is ${userId ?? 'unknown'}.`;

/** Who asked, as the command records it: `telegram:<chat id>:<user id>[:<username>]`. */
function requester(ctx: Context): string {
  const user = ctx.from?.username;
  return `telegram:${chatOf(ctx)}:${ctx.from?.id}${user ? `:${user}` : ''}`;
}

function question(action: ControlAction, ttlMs: number): string {
  const what =
    action.kind === 'kill'
      ? `Engage the kill switch${action.flatten ? ' and FLATTEN every position' : ''}?`
      : action.clearDrawdown
        ? "Lift the kill switch AND the max-drawdown halt (the peak restarts from today's equity) and let trading resume?"
        : 'Lift the kill switch and let trading resume?';
  return `${what}\nReason: ${action.reason}\nThe buttons expire in ${Math.round(ttlMs / 1000)} s.`;
}

/**
 * /kill [flatten] [reason] and /resume [clear-drawdown] [reason]: each asks first, with Confirm and Cancel buttons
 * good once, for a limited time, for the asking user in the asking chat only; a confirmation publishes the command on
 * the bus exactly as the CLI does. An anonymous admin (or a chat posting as itself) can neither ask nor press.
 */
export function registerControlCommands(deps: ControlCommandDeps): void {
  const { bot, confirmations, log } = deps;
  const outcomes = new Counter({
    name: 'ballast_telegram_control_total',
    help: 'Kill and resume requests from Telegram by action and outcome',
    labelNames: ['action', 'outcome'],
    registers: [deps.metrics],
  });
  // Born at 0, so a panel shows "none" rather than no data until the first request.
  for (const action of ['kill', 'resume']) outcomes.inc({ action, outcome: 'published' }, 0);
  /** Refuses (answers, counts, logs) an anonymous sender; true when it did. */
  const refusedAnonymous = async (ctx: Context, action: string): Promise<boolean> => {
    if (!isAnonymousSender(ctx)) return false;
    outcomes.inc({ action, outcome: 'anonymous' });
    log.warn(
      {
        action,
        chatId: chatOf(ctx) ?? null,
        fromId: ctx.from?.id ?? null,
        senderChatId: ctx.message?.sender_chat?.id ?? null,
      },
      'control command from an anonymous sender refused',
    );
    if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text: ANONYMOUS_REFUSAL });
    else await ctx.reply(ANONYMOUS_REFUSAL);
    return true;
  };
  /** Refuses (answers, counts, logs) someone who is not an operator; true when it did. */
  const refusedNonOperator = async (ctx: Context, action: string): Promise<boolean> => {
    if (ctx.from && deps.operators.has(ctx.from.id)) return false;
    outcomes.inc({ action, outcome: 'not_operator' });
    log.warn(
      { action, chatId: chatOf(ctx) ?? null, fromId: ctx.from?.id ?? null },
      'control command from someone who is not an operator refused',
    );
    await ctx.reply(notOperatorRefusal(ctx.from?.id));
    return true;
  };
  const ask = async (ctx: Context, action: ControlAction) => {
    if (await refusedAnonymous(ctx, action.kind)) return;
    // Only the asker can confirm: checking the asker is enough.
    if (await refusedNonOperator(ctx, action.kind)) return;
    const p = confirmations.ask(chatOf(ctx) as number, ctx.from?.id ?? null, action, requester(ctx));
    outcomes.inc({ action: action.kind, outcome: 'asked' });
    log.info(
      { action: action.kind, chatId: p.chatId, requestedBy: p.requestedBy },
      'control confirmation asked',
    );
    const keyboard = new InlineKeyboard().text('Confirm', `c:${p.token}`).text('Cancel', `x:${p.token}`);
    await ctx.reply(question(action, deps.ttlMs), { reply_markup: keyboard });
  };

  bot.command('kill', async (ctx) => {
    const words = ctx.match.trim().split(/\s+/).filter(Boolean);
    const flatten = words[0]?.toLowerCase() === 'flatten';
    if (flatten) words.shift();
    await ask(ctx, { kind: 'kill', flatten, reason: reasonOf(words, 'kill switch from Telegram') });
  });
  bot.command('resume', async (ctx) => {
    const words = ctx.match.trim().split(/\s+/).filter(Boolean);
    // As `ballast resume --clear-drawdown`: the only way to lift a max-drawdown halt (ADR 12).
    const clearDrawdown = words[0]?.toLowerCase() === 'clear-drawdown';
    if (clearDrawdown) words.shift();
    await ask(ctx, { kind: 'resume', clearDrawdown, reason: reasonOf(words, 'resume from Telegram') });
  });

  bot.callbackQuery(/^([cx]):([0-9a-f]+)$/, async (ctx) => {
    const [, choice, token] = ctx.match as RegExpMatchArray;
    if (await refusedAnonymous(ctx, 'unknown')) return;
    const chatId = chatOf(ctx) as number;
    const taken = confirmations.take(token as string, chatId, ctx.from?.id);
    if (!taken.ok) {
      outcomes.inc({ action: 'unknown', outcome: taken.reason });
      log.warn(
        { chatId, fromId: ctx.from?.id ?? null, reason: taken.reason },
        'control confirmation refused',
      );
      await ctx.answerCallbackQuery({ text: REFUSAL[taken.reason] });
      if (taken.reason === 'expired') await ctx.editMessageText(REFUSAL.expired);
      return;
    }
    const { action, requestedBy } = taken.pending;
    if (choice === 'x') {
      outcomes.inc({ action: action.kind, outcome: 'cancelled' });
      await ctx.answerCallbackQuery({ text: 'Cancelled' });
      await ctx.editMessageText('Cancelled: nothing was sent.');
      return;
    }
    const commandId = await publish(deps, action, requestedBy).catch((err: unknown) => {
      log.error({ err, action: action.kind }, 'control command could not be published');
      return null;
    });
    outcomes.inc({ action: action.kind, outcome: commandId ? 'published' : 'failed' });
    log.info({ action: action.kind, chatId, requestedBy, commandId }, 'control command from Telegram');
    await ctx.answerCallbackQuery({ text: commandId ? 'Sent' : 'Failed' });
    await ctx.editMessageText(
      commandId
        ? `${action.kind === 'kill' ? 'Kill switch' : 'Resume'} command published (id ${commandId}). The services' answers follow here.`
        : 'The command could not be published on the bus. Use the CLI: ballast kill / ballast resume.',
    );
  });
}

function reasonOf(words: readonly string[], fallback: string): string {
  return (words.join(' ') || fallback).slice(0, 500);
}

async function publish(
  deps: ControlCommandDeps,
  action: ControlAction,
  requestedBy: string,
): Promise<string> {
  const id = deps.ids();
  if (action.kind === 'kill')
    await deps.bus.publish(
      subject(Subjects.kill, {}),
      { flatten: action.flatten, reason: action.reason, requestedBy },
      { id },
    );
  else
    await deps.bus.publish(
      subject(Subjects.resume, {}),
      resumeCommand({ reason: action.reason, requestedBy, clearDrawdown: action.clearDrawdown }),
      { id },
    );
  return id;
}
