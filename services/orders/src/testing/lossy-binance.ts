import { createCcxtExchange } from '@ballast/exchange';
import type { ExchangeSim } from '@ballast/exchange-sim';
import ccxt, { type Exchange } from 'ccxt';

/**
 * How the next `count` matching requests fail. `lost-reply`: the request reaches the venue, which
 * acts on it, and its answer is lost (a timeout after the order filled). `unsent`: it fails before
 * it leaves, so the venue never hears of it. `late`: it fails at once (the gateway timed out, Binance
 * -1007: send status unknown) and reaches the venue, which acts on it, `lateMs` later.
 */
export type TransportFault = {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  kind: 'lost-reply' | 'unsent' | 'late';
  count: number;
  /** How long after it failed a `late` request reaches the venue. */
  lateMs?: number;
  /** What ccxt throws; a request timeout (retryable) when omitted. */
  error?: (path: string) => Error;
};

const timeout = (path: string) =>
  new ccxt.RequestTimeout(`binance ${path} request timed out (test transport)`);

/**
 * A ccxt Binance exchange on the simulator whose transport fails on cue: the venue side (matching,
 * client id rules, trades) is the simulator's own, only the wire between is faulty. `failed` counts
 * the requests a fault took, by `METHOD path`.
 */
export function lossyBinance(sim: ExchangeSim, credentials: { apiKey: string; secret: string }) {
  const exchange: Exchange = createCcxtExchange({ exchangeId: 'binance', baseUrl: sim.restUrl, credentials });
  const faults: TransportFault[] = [];
  const failed = new Map<string, number>();
  const requests: Array<{ what: string; at: number }> = [];
  const send = exchange.fetch.bind(exchange);
  exchange.fetch = async (url: string, method = 'GET', headers?: unknown, body?: unknown) => {
    const path = new URL(url).pathname;
    requests.push({ what: `${method} ${path}`, at: Date.now() });
    const fault = faults.find((f) => f.method === method && f.path === path && f.count > 0);
    if (!fault) return send(url, method, headers, body);
    fault.count--;
    failed.set(`${method} ${path}`, (failed.get(`${method} ${path}`) ?? 0) + 1);
    if (fault.kind === 'lost-reply') await send(url, method, headers, body);
    if (fault.kind === 'late')
      setTimeout(() => void send(url, method, headers, body).catch(() => undefined), fault.lateMs ?? 0);
    throw (fault.error ?? timeout)(path);
  };
  return {
    exchange,
    fail: (fault: TransportFault) => void faults.push({ ...fault }),
    /** Every fault lifted: the venue answers again. */
    heal: () => void faults.splice(0),
    failed: (what: string) => failed.get(what) ?? 0,
    /** When each request matching `METHOD path` was made (wall time, ms), faulty ones included. */
    madeAt: (what: string) => requests.filter((r) => r.what === what).map((r) => r.at),
  };
}
