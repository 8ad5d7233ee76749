import { connectDatabase, connectNatsBus, DEFAULT_NATS_URL, runService } from '@ballast/service-kit';
import { gatewayConfigSchema } from './config';
import { deleteDurables } from './durables';
import { startGateway } from './service';

await runService({
  name: 'gateway',
  configSchema: gatewayConfigSchema,
  secret: ['GATEWAY_USERS'],
  connectBus: connectNatsBus,
  connectDb: connectDatabase,
  start: ({ bus, db, clock, ids, config, log, metrics }) =>
    startGateway({
      bus,
      db,
      clock,
      ids,
      config,
      log,
      metrics,
      forgetDurables: (names) => deleteDurables(config.NATS_URL ?? DEFAULT_NATS_URL, bus, names),
    }),
});
