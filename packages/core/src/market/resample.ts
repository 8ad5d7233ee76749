import type { Candle, Timeframe } from '@ballast/contracts';
import { CandleResampler, type ResampleRejectionReason } from './candle-resampler';

export type ResampleResult =
  | {
      ok: true;
      /** Buckets that are over: the last source candle of the bucket arrived, or a later bucket began. */
      candles: Candle[];
      /** The last bucket when its final source candle is not in the input: still forming, or cut short. */
      forming: Candle | null;
    }
  | { ok: false; reason: ResampleRejectionReason; index: number; message: string };

/** Resamples a whole series with CandleResampler; see it for bucket and gap rules. */
export function resample(candles: readonly Candle[], to: Timeframe): ResampleResult {
  const resampler = new CandleResampler(to);
  const out: Candle[] = [];
  for (let i = 0; i < candles.length; i++) {
    const outcome = resampler.push(candles[i]!);
    if (!outcome.ok) return { ok: false, reason: outcome.reason, index: i, message: outcome.message };
    for (const c of outcome.closed) out.push(c);
  }
  return { ok: true, candles: out, forming: resampler.forming };
}
