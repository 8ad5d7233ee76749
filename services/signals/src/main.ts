import { agentsConfigSchema } from '@ballast/agents';
import { connectNatsBus, databaseConnector, runService } from '@ballast/service-kit';
import { signalsConfigSchema } from './config';
import { startSignalsService } from './service';

await runService({
  name: 'signals',
  configSchema: signalsConfigSchema.extend(agentsConfigSchema.shape),
  connectBus: connectNatsBus,
  // Agent audit rows and lessons are records of decisions, not of money: commits need not wait for the disk. See docs/adr/0007.
  connectDb: databaseConnector({ commit: 'asynchronous' }),
  start: ({ bus, db, log, metrics, clock, ids, config }) =>
    startSignalsService({ bus, db, log, metrics, clock, ids, config, agents: config, retained: bus }),
});
