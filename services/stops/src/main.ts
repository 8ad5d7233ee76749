import { connectDatabase, connectNatsBus, runService } from '@ballast/service-kit';
import { stopsConfigSchema } from './config';
import { startStops } from './service';

await runService({
  name: 'stops',
  configSchema: stopsConfigSchema,
  connectBus: connectNatsBus,
  connectDb: connectDatabase,
  venue: (config) => config.STOPS_VENUE,
  start: ({ bus, db, clock, ids, config, log, metrics }) =>
    startStops({ bus, db, clock, ids, config, log, metrics }),
});
