import { z } from 'zod';

const json = <T extends z.ZodType>(schema: T) =>
  z
    .string()
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'not valid JSON' });
        return z.NEVER;
      }
    })
    .pipe(schema);

/** The order manager's own variables; keys are secrets (EXCHANGE_API_KEY / _SECRET, or their _FILE). */
export const ordersConfigSchema = z.object({
  ORDERS_VENUE_KIND: z.enum(['ccxt', 'paper']).default('paper'),
  /** Contracts venue id the service trades on, e.g. `binance`. */
  ORDERS_VENUE: z
    .string()
    .regex(/^[a-z][a-z0-9]*$/)
    .default('binance'),
  EXCHANGE_BASE_URL: z.url().optional(),
  EXCHANGE_API_KEY: z.string().min(1).optional(),
  EXCHANGE_API_SECRET: z.string().min(1).optional(),
  CLIENT_ID_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]{0,12}$/)
    .default('bl-'),
  MAX_SLIPPAGE_BPS: z.coerce.number().nonnegative().default(50),
  SLIPPAGE_ACTION: z.enum(['reject', 'twap']).default('reject'),
  TWAP_SLICES: z.coerce.number().int().min(2).max(1000).default(5),
  TWAP_DURATION_MS: z.coerce.number().int().positive().default(60_000),
  TWAP_JITTER: z.coerce.number().min(0).max(0.5).default(0.2),
  TICK_MS: z.coerce.number().int().positive().default(100),
  RETRY_ATTEMPTS: z.coerce.number().int().min(1).default(5),
  RETRY_BASE_MS: z.coerce.number().int().positive().default(200),
  PAPER_MAKER_FEE: z.coerce.number().min(0).default(0.001),
  PAPER_TAKER_FEE: z.coerce.number().min(0).default(0.001),
  PAPER_LATENCY_MS: z.coerce.number().int().min(0).default(0),
  PAPER_INITIAL_BALANCES: json(z.record(z.string(), z.number().nonnegative())).default({ USDT: 10_000 }),
});

export type OrdersConfig = z.output<typeof ordersConfigSchema>;
