import { jsonVariable } from '@ballast/contracts';
import { z } from 'zod';

/**
 * Spot: base-asset amounts the account holds that are not positions (BNB kept for fees, coins held
 * long-term), by asset. One variable for every service that reads spot balances as positions:
 * reconciliation compares the rest with our fills, the orders service's flatten sells none of them and
 * judges flat on the rest (core's positionHolding). Spread into each service's config schema.
 */
export const baseHoldingsVariables = {
  RECON_BASE_HOLDINGS: jsonVariable(z.record(z.string(), z.number().nonnegative())).default({}),
};
