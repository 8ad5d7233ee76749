import type { Envelope, RejectReason } from '@ballast/contracts';
import type { NewSlice } from '@ballast/db';

/** An order asked for, by a risk decision (an entry) or an `ord.cmd` submit, before it is planned. */
export type SubmitRequest = {
  intentId: string;
  strategy: string | null;
  symbol: string;
  side: 'buy' | 'sell';
  qty: number;
  type: 'market' | 'limit';
  price: number | null;
  reduceOnly: boolean;
  /** null: direct unless the slippage guard routes to TWAP. */
  twap: { slices: number; durationMs: number } | null;
  clientOrderId: string | null;
  /** When risk's approval of an entry expires (OrderIntent.expiresAt); absent: no approval, or none given. */
  expiresAt?: number;
};

/** Why a request is refused before anything is planned. */
export type Refusal = { reason: RejectReason; detail: string };

/** One slice of the request, as recorded: its events join the chain of the message that asked. */
export function sliceOf(
  request: SubmitRequest,
  cause: Envelope<unknown>,
  exchange: string,
  piece: Pick<NewSlice, 'clientOrderId' | 'slice' | 'qty' | 'dueAt' | 'acceptedTouch'>,
): NewSlice {
  return {
    ...piece,
    intentId: request.intentId,
    strategy: request.strategy,
    correlationId: cause.correlationId,
    exchange,
    symbol: request.symbol,
    side: request.side,
    type: request.type,
    price: request.price,
    reduceOnly: request.reduceOnly,
    expiresAt: request.expiresAt ?? null,
  };
}
