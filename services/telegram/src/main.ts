import { connectDatabase, connectNatsBus, DEFAULT_NATS_URL, runService } from '@ballast/service-kit';
import { deleteDurables } from './bus/durables';
import { telegramConfigSchema } from './config';
import { startTelegram } from './service';

await runService({
  name: 'telegram',
  configSchema: telegramConfigSchema,
  secret: ['TELEGRAM_BOT_TOKEN'],
  connectBus: connectNatsBus,
  connectDb: connectDatabase,
  start: ({ bus, db, clock, ids, config, log, metrics, addReadinessCheck }) =>
    startTelegram({
      bus,
      db,
      clock,
      ids,
      config,
      log,
      metrics,
      addReadinessCheck,
      forgetDurables: (durables) => deleteDurables(config.NATS_URL ?? DEFAULT_NATS_URL, bus.naming, durables),
    }),
});
