import { connectDatabase, connectNatsBus, runService } from '@ballast/service-kit';
import { riskConfigSchema } from './config';
import { startRisk } from './service';

await runService({
  name: 'risk',
  configSchema: riskConfigSchema,
  secret: ['EXCHANGE_API_KEY', 'EXCHANGE_API_SECRET'],
  connectBus: connectNatsBus,
  connectDb: connectDatabase,
  venue: (config) => config.RISK_VENUE,
  start: ({ bus, db, clock, config, log, metrics }) => startRisk({ bus, db, clock, config, log, metrics }),
});
