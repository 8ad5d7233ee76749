import { deleteStreamsAt, NatsBus } from '@ballast/bus';
import type { Clock } from '@ballast/contracts';
import { createDb, type Database, migrate } from '@ballast/db';
import { createLogger, createMetricsRegistry, SystemClock, uuidv7Ids } from '@ballast/service-kit';
import { createTestDatabase, natsUrl, uniqueName, waitFor } from '@ballast/testkit';
import type { Kysely } from 'kysely';
import type { Registry } from 'prom-client';
import { deleteDurables } from '../bus/durables';
import { type TelegramConfig, telegramConfigSchema } from '../config';
import { startTelegram, type Telegram } from '../service';
import { BotApiServer } from './bot-api-server';

/** Looks like a real token (bot id, colon, 35 characters), so a leak would be recognisable. */
export const TEST_TOKEN = '7000001:AAH5kTz0-Wq3bVx8nLp2YcR6dFm9sJe4uGt';
export const ALLOWED = [111_111, 222_222] as const;
export const STRANGER = 999_999;

export interface Harness {
  telegram: Telegram;
  api: BotApiServer;
  db: Kysely<Database>;
  /** Publishes as the trading services would (source `orders`). */
  publisher: NatsBus;
  /** A second connection that reads what the bot publishes. */
  bus: NatsBus;
  config: TelegramConfig;
  metrics: Registry;
  /** Every log line the bot wrote; the logger is given no secrets, so nothing is redacted for it. */
  logLines: string[];
  /** Texts of the messages sent to a chat. */
  texts(chatId: number): string[];
  close(): Promise<void>;
}

export interface HarnessOptions {
  env?: Record<string, string>;
  clock?: Clock;
  /** Runs after migration, before the bot starts (seed the database). */
  seed?: (db: Kysely<Database>) => Promise<void>;
}

/** The bot on real NATS (own prefix) and PostgreSQL (own database), talking to a local Bot API server. */
export async function startHarness(label: string, options: HarnessOptions = {}): Promise<Harness> {
  const database = await createTestDatabase(label);
  const handle = await createDb({ url: database.url, poolSize: 3 });
  await migrate(handle.db);
  await options.seed?.(handle.db);
  const servers = await natsUrl();
  const prefix = `${uniqueName(label)}.`;
  const clock = options.clock ?? new SystemClock();
  const api = await BotApiServer.start(TEST_TOKEN);
  const config = telegramConfigSchema.parse({
    TELEGRAM_BOT_TOKEN: TEST_TOKEN,
    TELEGRAM_API_ROOT: api.url,
    TELEGRAM_ALLOWED_CHAT_IDS: ALLOWED.join(','),
    TELEGRAM_POLL_TIMEOUT_S: '1',
    ...options.env,
  });
  const logLines: string[] = [];
  const log = createLogger({
    service: 'telegram',
    level: 'debug',
    destination: { write: (l) => logLines.push(l) },
  });
  const bus = await NatsBus.connect({ servers, prefix, source: 'telegram', clock });
  await bus.ensureStreams();
  const publisher = await NatsBus.connect({ servers, prefix, source: 'orders', clock });
  const metrics = createMetricsRegistry();
  const telegram = await startTelegram({
    bus,
    db: handle.db,
    clock,
    ids: uuidv7Ids(clock),
    config,
    log,
    metrics,
    forgetDurables: (durables) => deleteDurables(servers, bus.naming, durables),
  });
  // Started means polling: the first long poll has reached the server.
  await waitFor(() => api.sent('getUpdates').length > 0, 'the first getUpdates', { timeoutMs: 20_000 });
  return {
    telegram,
    api,
    db: handle.db,
    publisher,
    bus,
    config,
    metrics,
    logLines,
    texts: (chatId) =>
      [...api.sent('sendMessage', chatId), ...api.sent('editMessageText', chatId)].map((c) =>
        String(c.params.text),
      ),
    async close() {
      await telegram[Symbol.asyncDispose]();
      await publisher.drain();
      await bus.drain();
      await api.close();
      await handle.db.destroy();
      await deleteStreamsAt(servers, bus.naming);
      await database.drop();
    },
  };
}

/** Waits for a message to `chatId` whose text contains `part`, and returns that text. */
export function messageTo(
  h: Harness,
  chatId: number,
  part: string | RegExp,
  timeoutMs = 20_000,
): Promise<string> {
  const matches = (t: string) => (typeof part === 'string' ? t.includes(part) : part.test(t));
  return waitFor(() => h.texts(chatId).find(matches), `a message to ${chatId} with ${String(part)}`, {
    timeoutMs,
    intervalMs: 50,
  });
}
