import { randomInt } from 'node:crypto';
import { connectNatsBus, databaseConnector, runService } from '@ballast/service-kit';
import { marketDataConfigSchema } from './config';
import { startMarketData } from './service';

const RANDOM_RANGE = 2 ** 32;

await runService({
  name: 'market-data',
  configSchema: marketDataConfigSchema,
  connectBus: connectNatsBus,
  // Candles can be fetched again (gap detection backfills a lost one): commits need not wait for the disk. See docs/adr/0007.
  connectDb: databaseConnector({ commit: 'asynchronous' }),
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
