import type { BookLevel, BookUpdate, Trade } from '@ballast/contracts';

/**
 * A payload may carry its own JSON encoding, written by the reader that built it from the venue frame
 * (the venue's decimal text spliced in, so no number is turned back into text). The bus reads it under
 * the same registry key (`packages/bus/src/hot-envelopes.ts`; `Symbol.for`, so neither package imports
 * the other) and sends these bytes instead of calling JSON.stringify.
 *
 * What the key promises: the bytes are exactly `JSON.stringify(payload)` as UTF-8, the payload passed
 * the contract's checks (payload-checks.ts), and nobody changes the payload afterwards (nothing in the
 * ingest path does: the depth syncs only read levels). The encoding sits in a private field behind a
 * prototype getter, so JSON.stringify, zod, `toEqual` and spreads see a plain payload (a spread copy
 * carries no encoding).
 */
export const PAYLOAD_JSON: unique symbol = Symbol.for('ballast.payloadJson');

export function payloadJsonOf(payload: unknown): Uint8Array | undefined {
  return typeof payload === 'object' && payload !== null
    ? ((payload as { [PAYLOAD_JSON]?: Uint8Array })[PAYLOAD_JSON] ?? undefined)
    : undefined;
}

/** A BookUpdate with its encoding; fields in the schema's order, as JSON.stringify must see them. */
export class EncodedBookUpdate implements BookUpdate {
  readonly #json: Uint8Array;

  constructor(
    public exchange: string,
    public symbol: string,
    public kind: 'snapshot' | 'delta',
    public firstUpdateId: number | null,
    public lastUpdateId: number,
    public bids: BookLevel[],
    public asks: BookLevel[],
    public time: number,
    json: Uint8Array,
  ) {
    this.#json = json;
  }

  get [PAYLOAD_JSON](): Uint8Array {
    return this.#json;
  }
}

/** A Trade with its encoding; fields in the schema's order. */
export class EncodedTrade implements Trade {
  readonly #json: Uint8Array;

  constructor(
    public exchange: string,
    public symbol: string,
    public tradeId: string,
    public price: number,
    public size: number,
    public side: 'buy' | 'sell',
    public time: number,
    json: Uint8Array,
  ) {
    this.#json = json;
  }

  get [PAYLOAD_JSON](): Uint8Array {
    return this.#json;
  }
}
