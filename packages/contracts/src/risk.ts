import { z } from 'zod';
import { EpochMs, ExchangeId, OrderSide, PositionSide, PositiveSize, Price, SymbolId } from './primitives';

/** Why our risk manager said no: one closed set (a venue's refusal is an order rejection instead). */
export const DenyReason = z.enum([
  'risk_per_trade',
  'max_position',
  'max_exposure',
  'max_open_risk',
  'max_open_positions',
  'reward_risk',
  'liquidity',
  'min_notional',
  'daily_loss',
  'max_drawdown',
  'loss_streak',
  'stale_data',
  'unreconciled',
  'kill_switch',
  'invalid_intent',
  'short_not_allowed',
  'market_held',
  'stale_signal',
  'entry_off_market',
]);
export type DenyReason = z.infer<typeof DenyReason>;

export const OrderIntent = z.object({
  intentId: z.string().min(1),
  candidateId: z.string().min(1),
  strategy: z.string().min(1),
  exchange: ExchangeId,
  symbol: SymbolId,
  positionSide: PositionSide,
  side: OrderSide,
  qty: PositiveSize,
  entry: Price,
  stop: Price,
  takeProfits: z.array(Price),
  riskAmount: z.number().nonnegative(),
  /**
   * When risk's reservation for the intent lapses: an intent arriving later (orders was down or behind)
   * is refused `expired`, not bought at a price and beside entries risk no longer counts it against.
   * Optional: intents from before it was added do not expire.
   */
  expiresAt: EpochMs.optional(),
});
export type OrderIntent = z.infer<typeof OrderIntent>;

export const RiskDecision = z.discriminatedUnion('approved', [
  z.object({ approved: z.literal(true), intent: OrderIntent }),
  z.object({
    approved: z.literal(false),
    candidateId: z.string().min(1),
    exchange: ExchangeId,
    symbol: SymbolId,
    reason: DenyReason,
    limit: z.number(),
    value: z.number(),
    detail: z.string(),
  }),
]);
export type RiskDecision = z.infer<typeof RiskDecision>;
