import { bybitRestKline } from './bybit-kline';
import { type BybitVenue, seriesKey } from './bybit-venue';
import { ok, type RouteResult, type SimRequest } from './http-io';
import { selectKlines } from './kline-rest';

/** Recorded `/v5/market/instruments-info` documents by category (`linear`, `spot`). */
export type BybitInstruments = ReadonlyMap<
  string,
  { result: { list: Array<{ symbol: string }> } & Record<string, unknown> } & Record<string, unknown>
>;

type BybitRest = Pick<BybitVenue, 'instruments' | 'books' | 'series'>;
type Handler = (req: SimRequest, venue: BybitRest, now: number) => RouteResult;

const routes: Record<string, Handler> = {
  '/v5/market/instruments-info': instrumentsInfo,
  '/v5/market/kline': kline,
  '/v5/market/orderbook': orderbook,
};

/** Routes a Bybit v5 public market call; undefined when the path is not one the simulator serves. */
export function routeBybit(req: SimRequest, venue: BybitRest, now: number): RouteResult | undefined {
  const handler = req.method === 'GET' ? routes[req.path] : undefined;
  return handler?.(req, venue, now);
}

/** Serves the recorded instruments-info, narrowed to `symbol` when asked, in Bybit's envelope. */
function instrumentsInfo(req: SimRequest, venue: BybitRest, now: number): RouteResult {
  const category = req.params.get('category') ?? '';
  const doc = venue.instruments.get(category);
  if (!doc) return paramsError('Category is invalid', now);
  const symbol = req.params.get('symbol');
  if (!symbol) return ok(doc);
  return ok({
    ...doc,
    result: { ...doc.result, list: doc.result.list.filter((i) => i.symbol === symbol), nextPageCursor: '' },
  });
}

/** Linear candles with Bybit's paging: open times in [start, end], the first `limit` from start, newest first. */
function kline(req: SimRequest, venue: BybitRest, now: number): RouteResult {
  const symbol = req.params.get('symbol') ?? '';
  const interval = req.params.get('interval') ?? '';
  if (req.params.get('category') !== 'linear') return paramsError('Category is invalid', now);
  const series = venue.series.get(seriesKey(symbol, interval));
  if (!series) return paramsError('symbol or interval invalid', now);
  const picked = selectKlines(series.rows.slice(0, series.visible), {
    startTime: intParam(req, 'start'),
    endTime: intParam(req, 'end'),
    limit: Math.min(intParam(req, 'limit') ?? 200, 1000),
  });
  return success({ symbol, category: 'linear', list: picked.reverse().map(bybitRestKline) }, now);
}

/** The simulator's current book for a linear symbol, `limit` levels a side (Bybit allows up to 500). */
function orderbook(req: SimRequest, venue: BybitRest, now: number): RouteResult {
  if (req.params.get('category') !== 'linear') return paramsError('Category is invalid', now);
  const view = venue.books.restView(
    req.params.get('symbol') ?? '',
    Math.min(intParam(req, 'limit') ?? 25, 500),
  );
  return view ? success(view, now) : paramsError('symbol invalid', now);
}

function success(result: object, now: number): RouteResult {
  return ok({ retCode: 0, retMsg: 'OK', result, retExtInfo: {}, time: now });
}

function paramsError(detail: string, now: number): RouteResult {
  return ok({ retCode: 10001, retMsg: `params error: ${detail}`, result: {}, retExtInfo: {}, time: now });
}

function intParam(req: SimRequest, name: string): number | undefined {
  const v = req.params.get(name);
  return v === null || v === '' ? undefined : Number(v);
}
