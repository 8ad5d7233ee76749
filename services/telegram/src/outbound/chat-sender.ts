import type { Logger } from '@ballast/service-kit';
import { type Api, InputFile } from 'grammy';
import { Counter, type Registry } from 'prom-client';
import { safeError } from './safe-error';

/** Telegram refuses messages over 4,096 characters; captions over 1,024. */
const MAX_TEXT = 4_000;
const MAX_CAPTION = 1_000;

const clip = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

/** Sends to every allowed chat; a chat that cannot be reached is logged and counted, never fatal. */
export class ChatSender {
  private readonly sent: Counter<'what' | 'outcome'>;

  constructor(
    private readonly api: Api,
    private readonly chats: readonly number[],
    private readonly log: Logger,
    metrics: Registry,
    private readonly token: string,
  ) {
    this.sent = new Counter({
      name: 'ballast_telegram_messages_total',
      help: 'Messages the bot sent to allowed chats, by what (alert, report) and outcome',
      labelNames: ['what', 'outcome'],
      registers: [metrics],
    });
    for (const what of ['alert', 'report'])
      for (const outcome of ['sent', 'failed']) this.sent.inc({ what, outcome }, 0);
  }

  async broadcast(text: string): Promise<void> {
    await this.each('alert', (chat) => this.api.sendMessage(chat, clip(text, MAX_TEXT)));
  }

  async photo(png: Buffer, caption: string): Promise<void> {
    await this.each('report', (chat) =>
      this.api.sendPhoto(chat, new InputFile(png, 'equity.png'), { caption: clip(caption, MAX_CAPTION) }),
    );
  }

  private async each(what: string, send: (chat: number) => Promise<unknown>): Promise<void> {
    for (const chat of this.chats) {
      try {
        await send(chat);
        this.sent.inc({ what, outcome: 'sent' });
      } catch (err) {
        this.sent.inc({ what, outcome: 'failed' });
        this.log.error({ err: safeError(err, this.token), chat, what }, 'telegram message not delivered');
      }
    }
  }
}
