import { connectDatabase, connectNatsBus, runService } from '@ballast/service-kit';
import { reconConfigSchema } from './config';
import { startReconciliation } from './service';

await runService({
  name: 'reconciliation',
  configSchema: reconConfigSchema,
  secret: ['EXCHANGE_API_KEY', 'EXCHANGE_API_SECRET'],
  connectBus: connectNatsBus,
  connectDb: connectDatabase,
  start: ({ bus, db, clock, ids, config, log, metrics }) =>
    startReconciliation({ bus, db, clock, ids, config, log, metrics, databaseUrl: config.DATABASE_URL }),
});
