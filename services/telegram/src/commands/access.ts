import type { Logger } from '@ballast/service-kit';
import type { Context, MiddlewareFn } from 'grammy';
import { Counter, type Registry } from 'prom-client';

/** The chat an update comes from, a button press included. */
export function chatOf(ctx: Context): number | undefined {
  return ctx.chat?.id ?? ctx.callbackQuery?.message?.chat.id;
}

/**
 * Drops every update that does not come from an allowed chat before any command sees it. Refusals
 * are counted and logged with the chat and sender ids, never the text (it may hold anything).
 */
export function allowOnly(allowed: readonly number[], log: Logger, metrics: Registry): MiddlewareFn<Context> {
  const ids = new Set(allowed);
  const ignored = new Counter({
    name: 'ballast_telegram_updates_ignored_total',
    help: 'Updates from chats that are not in TELEGRAM_ALLOWED_CHAT_IDS, ignored',
    labelNames: ['update'],
    registers: [metrics],
  });
  ignored.inc({ update: 'message' }, 0);
  return async (ctx, next) => {
    const chatId = chatOf(ctx);
    if (chatId !== undefined && ids.has(chatId)) return next();
    const update = ctx.callbackQuery ? 'callback_query' : ctx.message ? 'message' : 'other';
    ignored.inc({ update });
    log.warn(
      { chatId: chatId ?? null, fromId: ctx.from?.id ?? null, update },
      'update from a chat not allowed, ignored',
    );
  };
}
