import { agentsConfigSchema } from '@ballast/agents';
import { featuresConfigSchema } from '../../services/features/src/config';
import { gatewayConfigSchema } from '../../services/gateway/src/config';
import { marketDataConfigSchema } from '../../services/market-data/src/config';
import { ordersConfigSchema } from '../../services/orders/src/config';
import { reconConfigSchema } from '../../services/reconciliation/src/config';
import { riskConfigSchema } from '../../services/risk/src/config';
import { signalsConfigSchema } from '../../services/signals/src/config';
import { stopsConfigSchema } from '../../services/stops/src/config';
import { telegramConfigSchema } from '../../services/telegram/src/config';

export { baseConfigSchema } from '../../packages/service-kit/src/index';

/** A zod object schema, as far as these tests read it (the tests package does not depend on zod). */
export type ObjectSchema = { shape: Record<string, unknown> };

/** The variables each service reads beyond the base ones, by service (signals with its agents'). */
export const serviceConfigSchemas: Record<string, ObjectSchema> = {
  features: featuresConfigSchema,
  gateway: gatewayConfigSchema,
  'market-data': marketDataConfigSchema,
  orders: ordersConfigSchema,
  reconciliation: reconConfigSchema,
  risk: riskConfigSchema,
  signals: { shape: { ...signalsConfigSchema.shape, ...agentsConfigSchema.shape } },
  stops: stopsConfigSchema,
  telegram: telegramConfigSchema,
};
