import type { Logger } from '@ballast/service-kit';
import { type Api, InputFile } from 'grammy';
import { Counter, type Registry } from 'prom-client';
import { safeError } from './safe-error';
import { sendRetryDelay } from './send-retry';

/** Telegram refuses messages over 4,096 characters; captions over 1,024. */
const MAX_TEXT = 4_000;
const MAX_CAPTION = 1_000;

const clip = (text: string, max: number) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Sends to every allowed chat, each send tried again after a transient failure (a 5xx, a flood wait, the
 * network); a chat that still cannot be reached is logged and counted, never fatal.
 */
export class ChatSender {
  private readonly sent: Counter<'what' | 'outcome'>;

  constructor(
    private readonly api: Api,
    private readonly chats: readonly number[],
    private readonly log: Logger,
    metrics: Registry,
    private readonly token: string,
    private readonly wait: (ms: number) => Promise<void> = sleep,
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
      const delivered = await this.attempts(what, chat, send);
      this.sent.inc({ what, outcome: delivered ? 'sent' : 'failed' });
    }
  }

  /** Sends until it is delivered or a retry cannot help; whether it was delivered. */
  private async attempts(what: string, chat: number, send: (chat: number) => Promise<unknown>) {
    for (let attempt = 1; ; attempt++) {
      try {
        await send(chat);
        return true;
      } catch (err) {
        const retryInMs = sendRetryDelay(err, attempt);
        const logged = { err: safeError(err, this.token), chat, what, attempt };
        if (retryInMs === null) {
          this.log.error(logged, 'telegram message not delivered');
          return false;
        }
        this.log.warn({ ...logged, retryInMs }, 'telegram message not sent, trying again');
        await this.wait(retryInMs);
      }
    }
  }
}
