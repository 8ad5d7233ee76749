import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type FilePart, parseMultipart } from './multipart';

export interface BotApiCall {
  method: string;
  /** Request parameters; multipart fields that hold JSON (reply_markup) are parsed. */
  params: Record<string, unknown>;
  files: Record<string, FilePart>;
}

export interface TestUser {
  id: number;
  username?: string;
}

interface Waiter {
  offset: number;
  limit: number;
  respond: (updates: unknown[]) => void;
}

const BOT = { id: 7_000_001, is_bot: true, first_name: 'Ballast', username: 'ballast_test_bot' };

/**
 * A local server speaking the Telegram Bot API, enough for grammy: getMe, deleteWebhook, getUpdates
 * (long poll with offsets), sendMessage, sendPhoto (multipart), answerCallbackQuery, editMessageText;
 * any other method answers `{ ok: true, result: true }`. Every call is recorded; tests inject user
 * messages and button presses as updates.
 */
export class BotApiServer {
  readonly calls: BotApiCall[] = [];
  /** Requests that named another token. */
  unauthorized = 0;
  private readonly updates: Array<{ update_id: number } & Record<string, unknown>> = [];
  private readonly waiters = new Set<Waiter>();
  private readonly failures = new Map<string, { status: number; description: string }>();
  private nextUpdateId = 100;
  private nextMessageId = 1;

  private constructor(
    private readonly server: Server,
    readonly token: string,
  ) {}

  static async start(token: string): Promise<BotApiServer> {
    let api: BotApiServer | undefined;
    const server = createServer((req, res) => void api?.handle(req, res));
    api = new BotApiServer(server, token);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return api;
  }

  /** The `apiRoot` to give grammy. */
  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /**
   * A user types `text` in `chatId`; a leading /command is marked as one, as Telegram does. With
   * `senderChat` the message is sent on behalf of that chat (an anonymous admin: the group itself).
   */
  sendText(chatId: number, text: string, from: TestUser = { id: chatId }, senderChat?: number): number {
    const command = /^\/\w+(@\w+)?/.exec(text)?.[0];
    return this.push({
      message: {
        message_id: this.nextMessageId++,
        date: Math.floor(Date.now() / 1000),
        chat: { id: chatId, type: chatId < 0 ? 'group' : 'private' },
        from: { is_bot: false, first_name: 'Op', ...from },
        ...(senderChat === undefined
          ? {}
          : { sender_chat: { id: senderChat, type: senderChat < 0 ? 'group' : 'private', title: 'Ops' } }),
        text,
        ...(command ? { entities: [{ type: 'bot_command', offset: 0, length: command.length }] } : {}),
      },
    });
  }

  /** A user presses an inline button carrying `data` under message `messageId` in `chatId`. */
  pressButton(chatId: number, messageId: number, data: string, from: TestUser = { id: chatId }): number {
    return this.push({
      callback_query: {
        id: `cb-${this.nextUpdateId}`,
        from: { is_bot: false, first_name: 'Op', ...from },
        chat_instance: `ci-${chatId}`,
        data,
        message: {
          message_id: messageId,
          date: Math.floor(Date.now() / 1000),
          chat: { id: chatId, type: chatId < 0 ? 'group' : 'private' },
          from: BOT,
          text: '(question)',
        },
      },
    });
  }

  /** The next call of `method` is answered with this Bot API error. */
  failNext(method: string, status: number, description: string): void {
    this.failures.set(method, { status, description });
  }

  /** Calls of one method, optionally to one chat. */
  sent(method: string, chatId?: number): BotApiCall[] {
    return this.calls.filter(
      (c) => c.method === method && (chatId === undefined || String(c.params.chat_id) === String(chatId)),
    );
  }

  /** The highest offset grammy confirmed with getUpdates. */
  confirmedOffset(): number {
    return Math.max(0, ...this.sent('getUpdates').map((c) => Number(c.params.offset ?? 0)));
  }

  async close(): Promise<void> {
    for (const w of this.waiters) w.respond([]);
    this.waiters.clear();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private push(update: Record<string, unknown>): number {
    const update_id = this.nextUpdateId++;
    this.updates.push({ update_id, ...update });
    for (const w of [...this.waiters]) this.answerWaiter(w);
    return update_id;
  }

  private pending(offset: number, limit: number) {
    return this.updates.filter((u) => u.update_id >= offset).slice(0, limit);
  }

  private answerWaiter(w: Waiter): void {
    const ready = this.pending(w.offset, w.limit);
    if (ready.length === 0) return;
    this.waiters.delete(w);
    w.respond(ready);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const match = /^\/bot([^/]+)\/(\w+)$/.exec(new URL(req.url ?? '/', 'http://x').pathname);
    const body = await readBody(req);
    const reply = (status: number, json: unknown) => {
      if (res.writableEnded || res.destroyed) return;
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(json));
    };
    if (!match) return reply(404, { ok: false, error_code: 404, description: 'Not Found' });
    const [, token, method] = match as unknown as [string, string, string];
    if (token !== this.token) {
      this.unauthorized += 1;
      return reply(401, { ok: false, error_code: 401, description: 'Unauthorized' });
    }
    const { params, files } = parseParams(body, req.headers['content-type'] ?? '');
    this.calls.push({ method, params, files });
    const failure = this.failures.get(method);
    if (failure) {
      this.failures.delete(method);
      return reply(failure.status, {
        ok: false,
        error_code: failure.status,
        description: failure.description,
      });
    }
    const ok = (result: unknown) => reply(200, { ok: true, result });
    switch (method) {
      case 'getMe':
        return ok({
          ...BOT,
          can_join_groups: true,
          can_read_all_group_messages: false,
          supports_inline_queries: false,
        });
      case 'deleteWebhook':
        return ok(true);
      case 'getUpdates':
        return this.getUpdates(params, (updates) => ok(updates), res);
      case 'sendMessage':
        return ok(this.message(params, { text: params.text }));
      case 'sendPhoto':
        return ok(
          this.message(params, {
            caption: params.caption,
            photo: [{ file_id: 'f1', file_unique_id: 'u1', width: 1, height: 1 }],
          }),
        );
      case 'editMessageText':
        return ok({ ...this.message(params, { text: params.text }), message_id: Number(params.message_id) });
      case 'answerCallbackQuery':
        return ok(true);
      default:
        return ok(true);
    }
  }

  private getUpdates(
    params: Record<string, unknown>,
    respond: (u: unknown[]) => void,
    res: ServerResponse,
  ): void {
    const offset = Number(params.offset ?? 0);
    const limit = Number(params.limit ?? 100);
    const timeoutS = Number(params.timeout ?? 0);
    // Updates below the offset are confirmed: Telegram forgets them.
    for (let i = this.updates.length - 1; i >= 0; i--)
      if ((this.updates[i]?.update_id ?? 0) < offset) this.updates.splice(i, 1);
    const ready = this.pending(offset, limit);
    if (ready.length > 0 || timeoutS === 0) {
      respond(ready);
      return;
    }
    const waiter: Waiter = {
      offset,
      limit,
      respond: (u) => {
        clearTimeout(timer);
        respond(u);
      },
    };
    const timer = setTimeout(() => {
      this.waiters.delete(waiter);
      respond([]);
    }, timeoutS * 1000);
    this.waiters.add(waiter);
    res.on('close', () => {
      clearTimeout(timer);
      this.waiters.delete(waiter);
    });
  }

  private message(params: Record<string, unknown>, extra: Record<string, unknown>) {
    const chatId = Number(params.chat_id);
    return {
      message_id: this.nextMessageId++,
      date: Math.floor(Date.now() / 1000),
      chat: { id: chatId, type: chatId < 0 ? 'group' : 'private' },
      from: BOT,
      ...extra,
    };
  }
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function parseParams(body: Buffer, contentType: string): Pick<BotApiCall, 'params' | 'files'> {
  if (body.length === 0) return { params: {}, files: {} };
  if (contentType.startsWith('multipart/form-data')) {
    const { fields, files } = parseMultipart(body, contentType);
    const params: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(fields)) params[k] = /^[[{]/.test(v) ? JSON.parse(v) : v;
    // grammy names the file part and points at it from the field: `photo: attach://<part>`.
    for (const [k, v] of Object.entries(params))
      if (typeof v === 'string' && v.startsWith('attach://')) {
        const file = files[v.slice('attach://'.length)];
        if (file) files[k] = file;
      }
    return { params, files };
  }
  if (contentType.startsWith('application/x-www-form-urlencoded'))
    return { params: Object.fromEntries(new URLSearchParams(body.toString('utf8'))), files: {} };
  return { params: JSON.parse(body.toString('utf8')) as Record<string, unknown>, files: {} };
}
