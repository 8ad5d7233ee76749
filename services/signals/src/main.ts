import { agentsConfigSchema } from '@ballast/agents';
import { connectDatabase, connectNatsBus, runService } from '@ballast/service-kit';
import { signalsConfigSchema } from './config';
import { startSignalsService } from './service';

await runService({
  name: 'signals',
  configSchema: signalsConfigSchema.extend(agentsConfigSchema.shape),
  connectBus: connectNatsBus,
  connectDb: connectDatabase,
  start: ({ bus, db, log, metrics, clock, ids, config }) =>
    startSignalsService({ bus, db, log, metrics, clock, ids, config, agents: config }),
});
