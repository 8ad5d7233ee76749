import { connectDatabase, connectNatsBus, runService } from '@ballast/service-kit';
import { featuresConfigSchema } from './config';
import { startFeaturesService } from './service';

await runService({
  name: 'features',
  configSchema: featuresConfigSchema,
  connectBus: connectNatsBus,
  connectDb: connectDatabase,
  start: ({ bus, db, log, metrics, config, clock }) =>
    startFeaturesService({ bus, db, log, metrics, config, clock }),
});
