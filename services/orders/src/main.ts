import { connectDatabase, connectNatsBus, runService } from '@ballast/service-kit';
import { ordersConfigSchema } from './config';
import { startOrders } from './service';

await runService({
  name: 'orders',
  configSchema: ordersConfigSchema,
  secret: ['EXCHANGE_API_KEY', 'EXCHANGE_API_SECRET'],
  connectBus: connectNatsBus,
  connectDb: connectDatabase,
  venue: (config) => config.ORDERS_VENUE,
  start: ({ bus, db, clock, ids, config, log, metrics }) =>
    startOrders({ bus, db, clock, ids, config, log, metrics }),
});
