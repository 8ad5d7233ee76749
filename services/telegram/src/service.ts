import { randomBytes } from 'node:crypto';
import type { Bus } from '@ballast/bus';
import type { Clock, IdGenerator } from '@ballast/contracts';
import { weeklyReport } from '@ballast/core';
import { BotStateRepository, type Database } from '@ballast/db';
import { type BaseConfig, KillStore, type Logger, type ReadinessCheck } from '@ballast/service-kit';
import { Bot } from 'grammy';
import type { Kysely } from 'kysely';
import type { Registry } from 'prom-client';
import { BusWatch } from './bus/bus-watch';
import type { DurableRef } from './bus/durables';
import { equityChartPng } from './chart/equity-chart';
import { allowOnly } from './commands/access';
import { registerControlCommands } from './commands/control-commands';
import { registerReadCommands } from './commands/read-commands';
import { TradingFacts } from './commands/trading-facts';
import type { TelegramConfig } from './config';
import { HealthWatch } from './health/health-watch';
import { PrometheusAlertsWatch } from './health/prometheus-alerts';
import { AlertRelay } from './outbound/alert-relay';
import { ChatSender } from './outbound/chat-sender';
import { safeError } from './outbound/safe-error';
import { weeklyCaption } from './report/weekly-caption';
import { WeeklyJob } from './report/weekly-job';
import { PendingConfirmations } from './state/confirmations';
import { ControlAnswers } from './state/control-answers';
import { OperatorView } from './state/operator-view';

const ANSWERS_CHECK_MS = 1_000;

export interface TelegramDeps {
  bus: Bus;
  db: Kysely<Database>;
  clock: Clock;
  ids: IdGenerator;
  /** With the stack's UPTIME_SAMPLE_MS (runService passes the base variables), uptime expects its interval. */
  config: TelegramConfig & Partial<Pick<BaseConfig, 'UPTIME_SAMPLE_MS'>>;
  log: Logger;
  metrics: Registry;
  addReadinessCheck?: (check: ReadinessCheck) => void;
  /** Removes this instance's durable consumers when it stops (NATS only). */
  forgetDurables?: (durables: readonly DurableRef[]) => Promise<void>;
  fetch?: typeof fetch;
}

export interface Telegram extends AsyncDisposable {
  view: OperatorView;
  health: HealthWatch;
  /** Prometheus' alerts relayed, when TELEGRAM_PROMETHEUS_URL is set. */
  alerts: PrometheusAlertsWatch | undefined;
  weekly: WeeklyJob;
  /** Builds the weekly report for the week ending at `now` and sends it to every allowed chat. */
  sendWeeklyReport(now: number): Promise<void>;
}

/**
 * The Telegram bot: alerts from the bus (grouped and rate-limited), commands for allowed chats, the
 * weekly report with an equity chart. Long-polls the Bot API at TELEGRAM_API_ROOT.
 */
export async function startTelegram(deps: TelegramDeps): Promise<Telegram> {
  const { config, log, clock } = deps;
  const token = config.TELEGRAM_BOT_TOKEN;
  const chats = config.TELEGRAM_ALLOWED_CHAT_IDS;
  if (chats.some((id) => id < 0) && config.TELEGRAM_OPERATOR_IDS.length === 0)
    log.warn(
      { groups: chats.filter((id) => id < 0) },
      'an allowed group has no TELEGRAM_OPERATOR_IDS: its members can read, but only the allowed private chats can kill or resume',
    );
  const bot = new Bot(token, { client: { apiRoot: config.TELEGRAM_API_ROOT } });
  const sender = new ChatSender(bot.api, chats, log, deps.metrics, token);
  const relay = new AlertRelay(
    clock,
    (text) => sender.broadcast(text),
    {
      windowMs: config.TELEGRAM_ALERT_WINDOW_MS,
      maxMessagesPerMinute: config.TELEGRAM_ALERTS_PER_MINUTE,
      maxLines: config.TELEGRAM_ALERT_MAX_LINES,
    },
    deps.metrics,
  );
  const view = new OperatorView(clock);
  // The risk service's persisted switch is the state until the bus says otherwise.
  view.kill = await new KillStore(new BotStateRepository(deps.db, clock), 'risk').load();
  const answers = new ControlAnswers({
    expected: config.TELEGRAM_CONTROL_SERVICES,
    timeoutMs: config.TELEGRAM_CONTROL_ACK_TIMEOUT_MS,
  });
  const watch = new BusWatch({
    bus: deps.bus,
    view,
    answers,
    clock,
    notify: (n) => relay.push(n),
    instance: randomBytes(6).toString('hex'),
  });
  await watch.start();
  // Who has not answered a kill or resume is told at its deadline, checked every second.
  const unanswered = setInterval(() => {
    for (const n of answers.due(clock.now())) relay.push(n);
  }, ANSWERS_CHECK_MS);
  unanswered.unref();
  const health = new HealthWatch({
    urls: config.TELEGRAM_HEALTH_URLS,
    intervalMs: config.TELEGRAM_HEALTH_INTERVAL_MS,
    clock,
    onNotice: (n) => relay.push(n),
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
  });
  health.start();
  const alerts = config.TELEGRAM_PROMETHEUS_URL
    ? new PrometheusAlertsWatch({
        url: config.TELEGRAM_PROMETHEUS_URL,
        intervalMs: config.TELEGRAM_PROMETHEUS_INTERVAL_MS,
        clock,
        onNotice: (n) => {
          if (n.kind === 'prometheus unreadable')
            log.warn({ detail: n.text }, 'prometheus alerts unreadable');
          relay.push(n);
        },
        ...(deps.fetch ? { fetch: deps.fetch } : {}),
      })
    : undefined;
  alerts?.start();

  const facts = new TradingFacts({
    db: deps.db,
    clock,
    initialEquity: config.TELEGRAM_INITIAL_EQUITY,
    strategies: config.TELEGRAM_STRATEGIES,
    // 0 only stops this service's own sampling; the trading services' interval is then the default.
    ...(config.UPTIME_SAMPLE_MS ? { uptimeSampleMs: config.UPTIME_SAMPLE_MS } : {}),
  });
  const confirmations = new PendingConfirmations(config.TELEGRAM_CONFIRM_TTL_MS, clock, () =>
    randomBytes(12).toString('hex'),
  );
  bot.use(allowOnly(chats, log, deps.metrics));
  registerControlCommands({
    bot,
    bus: deps.bus,
    ids: deps.ids,
    log,
    metrics: deps.metrics,
    confirmations,
    ttlMs: config.TELEGRAM_CONFIRM_TTL_MS,
    operators: operatorIds(config),
  });
  registerReadCommands({ bot, view, facts, health, ...(alerts ? { alerts } : {}) });
  bot.catch(async (err) => {
    log.error(
      { err: safeError(err.error, token), updateId: err.ctx.update.update_id },
      'telegram update failed',
    );
    await err.ctx.reply('That failed; the error is in the bot’s log.').catch(() => undefined);
  });

  const sendWeeklyReport = async (now: number) => {
    const report = weeklyReport(await facts.closedTrades(), config.TELEGRAM_INITIAL_EQUITY, now);
    await sender.photo(equityChartPng(report.equity), weeklyCaption(report));
    log.info({ trades: report.week.trades, pnl: report.week.pnl }, 'weekly report sent');
  };
  const weekly = new WeeklyJob(
    clock,
    { weekday: config.TELEGRAM_REPORT_WEEKDAY, hour: config.TELEGRAM_REPORT_HOUR },
    sendWeeklyReport,
    log,
  );

  // getMe first: a wrong token or an unreachable API fails the start instead of a silent bot.
  await bot.init();
  const polling = bot
    .start({ timeout: config.TELEGRAM_POLL_TIMEOUT_S, allowed_updates: ['message', 'callback_query'] })
    .catch((err: unknown) => log.error({ err: safeError(err, token) }, 'telegram polling stopped'));
  deps.addReadinessCheck?.({ name: 'telegram', check: () => bot.isRunning() });
  weekly.start();
  log.info(
    { bot: bot.botInfo.username, chats: chats.length, nextReport: weekly.nextAt },
    'telegram bot started',
  );

  return {
    view,
    health,
    alerts,
    weekly,
    sendWeeklyReport,
    async [Symbol.asyncDispose]() {
      await weekly.stop();
      if (bot.isRunning()) await bot.stop().catch(() => undefined);
      await polling;
      await health.stop();
      await alerts?.stop();
      await watch.stop();
      clearInterval(unanswered);
      await relay.stop();
      await deps
        .forgetDurables?.(watch.ownDurables)
        .catch((err: unknown) => log.warn({ err }, 'could not delete the telegram durables'));
    },
  };
}

/** TELEGRAM_OPERATOR_IDS, or when unset the allowed private chats' users (a private chat's id is its user's). */
function operatorIds(config: TelegramConfig): ReadonlySet<number> {
  const named = config.TELEGRAM_OPERATOR_IDS;
  return new Set(named.length > 0 ? named : config.TELEGRAM_ALLOWED_CHAT_IDS.filter((id) => id > 0));
}
