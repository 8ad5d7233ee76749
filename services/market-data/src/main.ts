import { randomInt } from 'node:crypto';
import { connectDatabase, connectNatsBus, runService } from '@ballast/service-kit';
import { marketDataConfigSchema } from './config';
import { startMarketData } from './service';

const RANDOM_RANGE = 2 ** 32;

await runService({
  name: 'market-data',
  configSchema: marketDataConfigSchema,
  connectBus: connectNatsBus,
  connectDb: connectDatabase,
  start: ({ config, bus, db, clock, log, metrics }) =>
    startMarketData({
      config,
      bus,
      db,
      clock,
      log,
      metrics,
      random01: () => randomInt(RANDOM_RANGE) / RANDOM_RANGE,
    }),
});
