import type { Context } from 'grammy';

/** The account Telegram puts in `from` for a group admin who posts anonymously ("Remain anonymous"). */
const GROUP_ANONYMOUS_BOT_ID = 1_087_968_824;

/**
 * Whether an update comes from nobody we can name: a message sent on behalf of a chat (an anonymous
 * admin, a channel, a linked channel's post: `sender_chat` set), or anything whose `from` is the shared
 * GroupAnonymousBot account (a button press carries no `sender_chat`). Every anonymous admin of a group
 * arrives as that one account, so telling them apart, or recording who acted, is impossible.
 */
export function isAnonymousSender(ctx: Pick<Context, 'message' | 'from'>): boolean {
  return ctx.message?.sender_chat !== undefined || ctx.from?.id === GROUP_ANONYMOUS_BOT_ID;
}
