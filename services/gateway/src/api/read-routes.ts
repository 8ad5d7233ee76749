import type { FastifyInstance } from 'fastify';
import type { ControlLog } from '../control/control-log';
import { withUnanswered } from '../control/unanswered';
import type { LiveState } from '../live/live-state';
import type { Period } from '../live/pnl';
import { errorSchema, refuse } from './api-error';
import type { ReadModel } from './read-model';
import * as S from './schemas';

const ok = (schema: Record<string, unknown>, summary: string) => ({
  schema: { summary, response: { 200: schema, 401: errorSchema } },
});

/** The typed read API: every route has a response schema, which also filters what leaves. */
export function registerReadRoutes(
  app: FastifyInstance,
  model: ReadModel,
  live: LiveState,
  controlLog: ControlLog,
  /** Who must answer each kill and resume (GATEWAY_CONTROL_SERVICES). */
  controlServices: readonly string[],
): void {
  app.get(
    '/api/positions',
    ok(S.arr(S.position), 'Open positions with live P&L, stop and take-profit levels'),
    () => model.positions(),
  );
  app.get<{ Querystring: { open?: boolean } }>(
    '/api/orders',
    {
      schema: {
        summary: 'Orders, newest first (open only with ?open=true)',
        querystring: { type: 'object', properties: { open: S.bool } },
        response: { 200: S.arr(S.order) },
      },
    },
    (req) => model.orders(req.query.open === true),
  );
  app.get('/api/fills', ok(S.arr(S.fillRow), 'Fills with their fees, oldest first'), () =>
    live.fills.values(),
  );
  app.get('/api/trades', ok(S.arr(S.closedTrade), 'Closed trades with their net result'), () =>
    model.closedTrades(),
  );
  app.get(
    '/api/equity',
    ok(
      S.obj({
        initial: S.num,
        equity: S.num,
        realized: S.num,
        unrealized: S.num,
        todayPnl: S.num,
        drawdownPct: S.num,
        curve: S.arr(S.equityPoint),
      }),
      'Equity now and its curve over closed trades',
    ),
    () => model.equity(),
  );
  app.get<{ Querystring: { period: Period } }>(
    '/api/pnl',
    {
      schema: {
        summary: 'P&L per day, week or month, split by strategy and symbol',
        querystring: {
          type: 'object',
          properties: { period: { type: 'string', enum: ['day', 'week', 'month'], default: 'day' } },
        },
        response: { 200: S.arr(S.periodPnl) },
      },
    },
    (req) => model.pnl(req.query.period),
  );
  app.get(
    '/api/pnl/totals',
    ok(S.pnlTotals, 'Net P&L, fees, wins and expectancy per strategy and per symbol over all closed trades'),
    () => model.pnlTotals(),
  );
  app.get('/api/signals', ok(S.arr(S.signalRow), 'Signal candidates, vetoed ones included'), () =>
    live.candidates.values(),
  );
  app.get('/api/decisions', ok(S.arr(S.decision), 'Agent decisions, oldest first'), () =>
    live.decisions.values(),
  );
  app.get<{ Params: { id: string } }>(
    '/api/decisions/:id',
    {
      schema: {
        summary:
          'One decision (by envelope or correlation id) with both agents’ audited calls, its orders and fills',
        params: { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 100 } } },
        response: { 200: S.decisionDetail, 404: errorSchema },
      },
    },
    async (req, reply) =>
      (await model.decisionDetail(req.params.id)) ?? refuse(reply, 'not_found', 'no such decision'),
  );
  app.get<{ Querystring: { sinceMs: number; limit: number } }>(
    '/api/llm-audit',
    {
      schema: {
        summary: 'Audited LLM calls, newest first',
        querystring: {
          type: 'object',
          properties: {
            sinceMs: { type: 'integer', default: 0 },
            limit: { type: 'integer', minimum: 1, maximum: 500, default: 100 },
          },
        },
        response: { 200: S.arr(S.agentCall) },
      },
    },
    (req) => model.llmAudit(req.query.sinceMs, req.query.limit),
  );
  app.get('/api/risk', ok(S.risk, 'Limits, headroom, halts and loss streak'), () => model.risk());
  app.get('/api/readiness', ok(S.arr(S.readiness), 'Go-live criteria per strategy with their figures'), () =>
    model.readiness(),
  );
  app.get(
    '/api/health',
    ok(S.arr(S.health), 'Health of the gateway’s connections and the configured services'),
    () => model.health(),
  );
  app.get(
    '/api/control',
    ok(
      S.obj({ state: S.controlState, actions: S.arr(S.controlAction) }),
      'Kill switch state, acknowledgements, who has not answered, and recorded actions',
    ),
    async () => ({
      state: withUnanswered(live.control, controlServices),
      actions: await controlLog.recent(50),
    }),
  );
  app.get('/api/markets', ok(S.arr(S.str), 'Candle series seen on the bus (exchange:symbol:timeframe)'), () =>
    live.seriesKeys(),
  );
  app.get<{ Querystring: { series: string } }>(
    '/api/candles',
    {
      schema: {
        summary: 'Recent candles of one series',
        querystring: {
          type: 'object',
          required: ['series'],
          properties: { series: { type: 'string', maxLength: 100 } },
        },
        response: { 200: S.arr(S.candle) },
      },
    },
    (req) => {
      const [exchange = '', symbol = '', timeframe = ''] = req.query.series.split(':');
      return live.candleSeries(exchange, symbol, timeframe);
    },
  );
  app.get<{ Querystring: { series: string } }>(
    '/api/market',
    {
      schema: {
        summary:
          'One series charted: candles, EMA and Bollinger overlays, support/resistance, our entries, exits and stops',
        querystring: {
          type: 'object',
          required: ['series'],
          properties: { series: { type: 'string', maxLength: 100 } },
        },
        response: { 200: S.marketChart },
      },
    },
    (req) => model.market(req.query.series),
  );
}
