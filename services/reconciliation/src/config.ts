import { sharedAssetProblem, sharedBaseAssets } from '@ballast/core';
import { baseHoldingsVariables, timerMs } from '@ballast/service-kit';
import { z } from 'zod';

const symbolList = z
  .string()
  .transform((s) =>
    s
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.string().regex(/^[A-Z0-9]+-[A-Z0-9]+$/, 'normalised symbol, e.g. BTC-USDT')).min(1));

/** Spot positions are read from base-asset balances: no two markets may move one (ADR 9). */
const reconSymbols = symbolList.superRefine((symbols, ctx) => {
  for (const shared of sharedBaseAssets(symbols))
    ctx.addIssue({ code: 'custom', message: sharedAssetProblem(shared) });
});

/**
 * The reconciliation service's own variables; it reads the venue through ccxt (the paper broker's
 * account lives inside the orders process). Keys are secrets (EXCHANGE_API_KEY / _SECRET, or _FILE). */
export const reconConfigSchema = z.object({
  RECON_VENUE: z
    .string()
    .regex(/^[a-z][a-z0-9]*$/)
    .default('binance'),
  /** Real money on this venue: the API key must not allow withdrawals (unless overridden). */
  RECON_LIVE: z.stringbool().default(false),
  /** A reason to run live with a withdrawal-enabled key; recorded in recon_log at every start. */
  RECON_WITHDRAWAL_OVERRIDE: z.string().min(1).optional(),
  RECON_SYMBOLS: reconSymbols.default(['BTC-USDT']),
  /**
   * Take trades from before the venue's first run as history (the account's past, not fills we
   * missed): a market's cursor starts after them and only the position differences are set, loudly.
   * A market first read on a later run skips only its trades from before that first run.
   */
  RECON_SKIP_TRADE_HISTORY: z.stringbool().default(false),
  RECON_INTERVAL_MS: timerMs(30_000),
  /**
   * One process reconciles a venue at a time (ADR 13): one that finds another holding the venue's lock
   * stands by and tries to take it this often, so it takes over within this long of the holder dying.
   */
  RECON_LOCK_RETRY_MS: timerMs(5_000),
  /**
   * The holder checks its lock's session every RECON_LOCK_RETRY_MS and before each run: a session that
   * does not answer within this long counts as lost (its connection may be half-open, the lock already
   * another process's), and the runs stop until the lock is taken again.
   */
  RECON_LOCK_TIMEOUT_MS: timerMs(5_000),
  RECON_EXTERNAL_ORDERS: z.enum(['leave', 'cancel']).default('leave'),
  /**
   * An order sent this recently is left to the orders service, and one recorded open this recently
   * that the venue cannot find yet is not declared cancelled: the venue may not know it yet.
   */
  RECON_IN_FLIGHT_GRACE_MS: z.coerce.number().int().nonnegative().default(10_000),
  /**
   * Fills found on the venue are recorded by the orders service (the one writer of fills): how long a
   * run waits for it before the repair counts as failed and the venue stays unreconciled.
   */
  RECON_FILL_WAIT_MS: z.coerce.number().int().positive().default(10_000),
  /** Balance differences up to this are not drift; a market's base asset is capped at its lot step. */
  RECON_BALANCE_TOLERANCE: z.coerce.number().nonnegative().default(0.000001),
  /** Spot: base-asset holdings that are not positions (BNB kept for fees); the orders service reads it too. */
  ...baseHoldingsVariables,
  /** Whether protective stops rest on the venue (false while the stops service keeps paper stops). */
  RECON_STOPS_ON_VENUE: z.stringbool().default(false),
  CLIENT_ID_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]{0,12}$/)
    .default('bl-'),
  EXCHANGE_BASE_URL: z.url().optional(),
  EXCHANGE_API_KEY: z.string().min(1).optional(),
  EXCHANGE_API_SECRET: z.string().min(1).optional(),
});

export type ReconConfig = z.output<typeof reconConfigSchema>;
