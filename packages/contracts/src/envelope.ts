import { z } from 'zod';
import { EpochMs } from './primitives';

/** The metadata every bus message carries; the payload is validated by its subject family. */
export const EnvelopeHeader = z.object({
  id: z.uuid(),
  type: z.string().min(1),
  version: z.number().int().positive(),
  /** When it happened at the source (exchange time for market data). */
  eventTime: EpochMs,
  /** When the emitting service put it on the bus. */
  emittedAt: EpochMs,
  source: z.string().min(1),
  /** Follows one trade idea from candle to fill. */
  correlationId: z.string().min(1),
  /** The id of the message that caused this one, if any. */
  causationId: z.string().min(1).nullable(),
});
export type EnvelopeHeader = z.infer<typeof EnvelopeHeader>;

export type Envelope<T> = EnvelopeHeader & { payload: T };

export function envelopeSchema<T>(payload: z.ZodType<T>) {
  return EnvelopeHeader.extend({ payload });
}
