import { toVenueError } from '@ballast/exchange';
import { createLogger } from '@ballast/service-kit';
import * as ccxt from 'ccxt';
import { describe, expect, it } from 'vitest';

// A venue that cannot be read is logged with its error (reconciler: "no comparison this run"): the
// line must carry neither the signed request nor the key, whichever field ccxt put them in.
const KEY = 'k3yV4lue0123456789';
const SIGNED = `https://api.binance.com/api/v3/openOrders?apiKey=${KEY}&timestamp=1732470000000&recvWindow=10000&signature=9f2c4e1ab7`;

function logged(err: unknown): string {
  const lines: string[] = [];
  const log = createLogger({
    service: 'reconciliation',
    destination: { write: (l: string) => lines.push(l) },
  });
  log.warn({ err: toVenueError(err, 'openOrders BTC-USDT'), venue: 'binance' }, 'no comparison this run');
  return lines.join('');
}

describe('a venue error in the logs', () => {
  it('carries no signed query or api key from the ccxt error, in its message, stack or cause', () => {
    const network = new ccxt.NetworkError(`binance GET ${SIGNED} fetch failed`);
    const body = new ccxt.BadRequest(
      `binance POST https://api.binance.com/api/v3/order symbol=BTCUSDT&apiKey=${KEY}&signature=9f2c4e1ab7 400`,
    );
    for (const err of [network, body]) {
      const line = logged(err);
      expect(line).toContain('openOrders BTC-USDT: binance');
      expect(line).not.toContain('signature=');
      expect(line).not.toContain(KEY);
    }
  });
});
