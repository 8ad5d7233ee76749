import { connectDatabase, connectNatsBus, runService } from '@ballast/service-kit';
import { signalsConfigSchema } from './config';
import { startSignalsService } from './service';

await runService({
  name: 'signals',
  configSchema: signalsConfigSchema,
  connectBus: connectNatsBus,
  connectDb: connectDatabase,
  start: ({ bus, db, log, metrics, config }) => startSignalsService({ bus, db, log, metrics, config }),
});
