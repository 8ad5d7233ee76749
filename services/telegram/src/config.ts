import { SUNDAY_EVENING_UTC } from '@ballast/core';
import { jsonVariable, timerMs, timerMsOrZero } from '@ballast/service-kit';
import { z } from 'zod';

const chatIds = z.string().transform((text, ctx): readonly number[] => {
  const parts = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const ids = parts.map(Number);
  if (ids.length === 0 || ids.some((id, i) => !Number.isSafeInteger(id) || !/^-?\d+$/.test(parts[i] ?? ''))) {
    ctx.addIssue({ code: 'custom', message: 'a comma-separated list of numeric chat ids, at least one' });
    return z.NEVER;
  }
  return [...new Set(ids)];
});

/** Telegram user ids (positive), comma-separated; empty when unset. */
const userIds = z
  .string()
  .default('')
  .transform((text, ctx): readonly number[] => {
    const parts = text
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (parts.some((p) => !/^\d+$/.test(p) || !Number.isSafeInteger(Number(p)))) {
      ctx.addIssue({ code: 'custom', message: 'a comma-separated list of numeric Telegram user ids' });
      return z.NEVER;
    }
    return [...new Set(parts.map(Number))];
  });

const healthUrls = jsonVariable(z.record(z.string(), z.url()));

const positiveInt = z.coerce.number().int().positive();

/** A comma-separated list of names, blanks dropped. */
const commaList = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((s) =>
      s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean),
    );

/**
 * The Telegram bot's variables. TELEGRAM_BOT_TOKEN (or TELEGRAM_BOT_TOKEN_FILE) is a secret: it is
 * redacted from every log line and never written anywhere. Only TELEGRAM_ALLOWED_CHAT_IDS may use
 * the commands, and alerts go to every one of them.
 */
export const telegramConfigSchema = z.object({
  TELEGRAM_BOT_TOKEN: z.string().min(1),
  /** The Bot API base, without a trailing slash; a local Bot API server or a test double. */
  TELEGRAM_API_ROOT: z
    .url()
    .default('https://api.telegram.org')
    .transform((u) => u.replace(/\/+$/, '')),
  TELEGRAM_ALLOWED_CHAT_IDS: chatIds,
  /**
   * The people who may ask for /kill and /resume, by Telegram user id. Unset: the allowed private
   * chats' own users (a private chat's id is its user's), so a member of an allowed group who is not
   * named cannot act on the account.
   */
  TELEGRAM_OPERATOR_IDS: userIds,
  /** How long a /kill or /resume confirmation button stays valid. */
  TELEGRAM_CONFIRM_TTL_MS: positiveInt.default(60_000),
  /** Alerts arriving within this window after the first go out as one message. */
  TELEGRAM_ALERT_WINDOW_MS: timerMsOrZero(5_000),
  TELEGRAM_ALERTS_PER_MINUTE: positiveInt.default(10),
  TELEGRAM_ALERT_MAX_LINES: positiveInt.default(10),
  /** Other services' /readyz URLs by name, e.g. `{"risk":"http://127.0.0.1:8081/readyz"}`. */
  TELEGRAM_HEALTH_URLS: healthUrls.default({}),
  TELEGRAM_HEALTH_INTERVAL_MS: timerMs(15_000),
  /**
   * Prometheus' base URL (http://prometheus:9090): its firing alerts (a service down, stops coverage,
   * reconciliation absent) are relayed to the chat. Unset: not watched.
   */
  TELEGRAM_PROMETHEUS_URL: z.url().optional(),
  TELEGRAM_PROMETHEUS_INTERVAL_MS: timerMs(30_000),
  /** The weekly report: 0 = Sunday … 6 = Saturday, and the hour, both UTC. */
  TELEGRAM_REPORT_WEEKDAY: z.coerce.number().int().min(0).max(6).default(SUNDAY_EVENING_UTC.weekday),
  TELEGRAM_REPORT_HOUR: z.coerce.number().int().min(0).max(23).default(SUNDAY_EVENING_UTC.hour),
  /** The account's starting equity: base of returns, drawdown and the equity chart. */
  TELEGRAM_INITIAL_EQUITY: z.coerce.number().positive().default(10_000),
  /** Strategies /readiness lists even before their first trade (comma list). */
  TELEGRAM_STRATEGIES: commaList(''),
  /**
   * Who must answer each kill and resume (control.ack): a service (any venue's answers it) or
   * `service@exchange`, comma-separated. Their answers are told, and who has not answered by
   * TELEGRAM_CONTROL_ACK_TIMEOUT_MS.
   */
  TELEGRAM_CONTROL_SERVICES: commaList('risk,orders'),
  TELEGRAM_CONTROL_ACK_TIMEOUT_MS: positiveInt.default(15_000),
  /** getUpdates long-poll timeout in seconds. */
  TELEGRAM_POLL_TIMEOUT_S: z.coerce.number().int().min(0).max(50).default(30),
});

export type TelegramConfig = z.output<typeof telegramConfigSchema>;
