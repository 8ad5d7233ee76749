import type { Clock } from '@ballast/contracts';
import type { FastifyInstance } from 'fastify';
import { errorSchema, refuse } from '../api/api-error';
import type { ReadModel } from '../api/read-model';
import * as S from '../api/schemas';
import { type PublicResults, publicResults } from './public-results';

export const PUBLIC_RESULTS_API = '/api/public/results';
export const PUBLIC_PAGE = '/public';

export interface PublicRoutesOptions {
  enabled: boolean;
  model: ReadModel;
  clock: Clock;
  /** Results are recomputed at most this often, however often anyone asks. */
  ttlMs: number;
}

const metrics = S.obj({
  net_pnl: S.num,
  trades: S.int,
  win_rate: S.num,
  avg_win: S.num,
  avg_loss: S.num,
  expectancy: S.num,
  profit_factor: S.nullable(S.num),
  fees: S.num,
  max_drawdown: S.num,
  sharpe: S.nullable(S.num),
  sortino: S.nullable(S.num),
  winning_days: S.int,
  losing_days: S.int,
  best_day: S.nullable(S.num),
  worst_day: S.nullable(S.num),
});

// The response schema is the allow-list of what leaves: no trade keys, order ids, exchange or balance.
const resultsSchema = S.obj({
  computedAt: S.int,
  metrics,
  daily: S.arr(S.obj({ day: S.int, pnl: S.num, fees: S.num, trades: S.int, wins: S.int })),
  curve: S.arr(S.obj({ time: S.int, pnl: S.num })),
  trades: S.arr(
    S.obj({ closeTime: S.int, symbol: S.str, strategy: S.nullable(S.str), pnl: S.num, fees: S.num }),
  ),
});

/**
 * The opt-in public results: read-only, no login. When not opted in, both the page and its API are
 * 404, as if they did not exist.
 */
export function registerPublicRoutes(app: FastifyInstance, options: PublicRoutesOptions): void {
  let cached: PublicResults | undefined;
  app.get(
    PUBLIC_RESULTS_API,
    {
      schema: {
        summary: 'Public results (opt-in, no login): daily P&L, P&L curve, trades and headline metrics',
        response: { 200: resultsSchema, 404: errorSchema },
      },
    },
    async (_req, reply) => {
      if (!options.enabled) return refuse(reply, 'not_found', 'no such route');
      const now = options.clock.now();
      if (!cached || now - cached.computedAt >= options.ttlMs)
        cached = publicResults(await options.model.closedTrades(), now);
      reply.header('cache-control', 'public, max-age=30');
      return cached;
    },
  );
  // Enabled, the page is the dashboard's shell (it renders the public view without a session).
  if (!options.enabled)
    app.get(PUBLIC_PAGE, { schema: { hide: true } }, (_req, reply) =>
      reply.code(404).type('text/plain; charset=utf-8').send('Not Found'),
    );
}
