import type { FeatureVector } from '@ballast/contracts';
import { defaultSignalEngine } from './default-engine';
import { recordedBtcVectors, recordedVectors } from './recorded-vectors';

/**
 * Recorded BTC and ETH vectors of the same bars, BTC first, up to the first bar at which a BTC candidate
 * passes the vetoes (a universe of the two, or more).
 */
export function pairsUpToFirstPassing(): Array<[FeatureVector, FeatureVector]> {
  const { vectors: btc } = recordedBtcVectors();
  const { vectors: eth } = recordedVectors('binance-spot-ohlcv/ETHUSDT-1h.csv.gz', 'ETH-USDT', 600);
  const ethAt = new Map(eth.map((v) => [v.openTime, v]));
  const pairs = btc.flatMap((v): Array<[FeatureVector, FeatureVector]> => {
    const e = ethAt.get(v.openTime);
    return e ? [[v, e]] : [];
  });
  const engine = defaultSignalEngine();
  const last = pairs.findIndex(([b, e]) =>
    [...engine.onFeatures(b), ...engine.onFeatures(e)].some(
      (c) => c.veto === null && c.symbol === 'BTC-USDT',
    ),
  );
  return pairs.slice(0, last + 1);
}
