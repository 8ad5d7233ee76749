import { ok, type RouteResult, type SimRequest } from './http-io';

/** Recorded `/v5/market/instruments-info` documents by category (`linear`, `spot`). */
export type BybitInstruments = ReadonlyMap<
  string,
  { result: { list: Array<{ symbol: string }> } & Record<string, unknown> } & Record<string, unknown>
>;

/** Serves the recorded instruments-info, narrowed to `symbol` when asked, in Bybit's envelope. */
export function routeBybit(
  req: SimRequest,
  instruments: BybitInstruments,
  now: number,
): RouteResult | undefined {
  if (req.method !== 'GET' || req.path !== '/v5/market/instruments-info') return undefined;
  const category = req.params.get('category') ?? '';
  const doc = instruments.get(category);
  if (!doc)
    return ok({
      retCode: 10001,
      retMsg: 'params error: Category is invalid',
      result: {},
      retExtInfo: {},
      time: now,
    });
  const symbol = req.params.get('symbol');
  if (!symbol) return ok(doc);
  return ok({
    ...doc,
    result: { ...doc.result, list: doc.result.list.filter((i) => i.symbol === symbol), nextPageCursor: '' },
  });
}
