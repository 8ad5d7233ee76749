import type { PnlPeriod } from '@ballast/core';
import type { Bot } from 'grammy';
import type { HealthWatch } from '../health/health-watch';
import type { PrometheusAlertsWatch } from '../health/prometheus-alerts';
import type { OperatorView } from '../state/operator-view';
import { HELP, pnlReply, positionsReply, readinessReply, statusReply } from './replies';
import type { TradingFacts } from './trading-facts';

export interface ReadCommandDeps {
  bot: Bot;
  view: OperatorView;
  facts: TradingFacts;
  health: HealthWatch;
  /** Prometheus' alerts, when TELEGRAM_PROMETHEUS_URL is set. */
  alerts?: PrometheusAlertsWatch;
}

const PERIODS: readonly PnlPeriod[] = ['day', 'week', 'month'];

/** /status, /positions, /pnl, /readiness and /help: answers from the bus picture and the database. */
export function registerReadCommands({ bot, view, facts, health, alerts }: ReadCommandDeps): void {
  bot.command(['help', 'start'], (ctx) => ctx.reply(HELP));

  bot.command('status', async (ctx) => {
    const reply = statusReply({
      kill: view.kill,
      halts: [...view.halts.values()],
      positions: view.positions.size,
      today: await facts.pnl('day'),
      services: health.current(),
      alerts: alerts
        ? { firing: alerts.current().map((a) => a.name), unreadable: alerts.unreadable() }
        : null,
      badFeeds: view.badFeeds().map((f) => `${f.exchange}${f.symbol ? ` ${f.symbol}` : ''} ${f.state}`),
      unreconciled: [...view.recon.values()]
        .filter((r) => r.status !== 'reconciled')
        .map((r) => `${r.venue} ${r.status}`),
    });
    await ctx.reply(reply);
  });

  bot.command('positions', (ctx) => ctx.reply(positionsReply([...view.positions.values()])));

  bot.command('pnl', async (ctx) => {
    const asked = ctx.match.trim().toLowerCase() || 'day';
    const period = PERIODS.find((p) => p === asked);
    if (!period) return void (await ctx.reply('Usage: /pnl [day|week|month]'));
    await ctx.reply(pnlReply(period, await facts.pnl(period)));
  });

  bot.command('readiness', async (ctx) => {
    const held = [...view.positions.values()].map((p) => p.strategy).filter((s): s is string => !!s);
    await ctx.reply(readinessReply(await facts.readiness(held)));
  });

  bot.on('message:text', (ctx) => ctx.reply(`I did not understand that.\n\n${HELP}`));
}
