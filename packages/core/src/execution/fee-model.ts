/**
 * Maker and taker commission as fractions of notional (0.001 = 0.1 %). `feesIn` says which asset pays:
 * `received` takes it from what the trade pays out, as Binance spot does without BNB (a buy's fee in
 * the base received, so the buyer gets qty − fee; a sell's in the quote); `quote` charges every fee
 * in the quote asset.
 */
export type FeeSchedule = { maker: number; taker: number; feesIn: FeesIn };

export type FeesIn = 'quote' | 'received';

export type Liquidity = 'maker' | 'taker';

/** Commission for one fill, rounded to 1e-8 like the venue's quote balances. */
export function feeFor(
  notional: number,
  liquidity: Liquidity,
  schedule: Pick<FeeSchedule, 'maker' | 'taker'>,
): number {
  const rate = liquidity === 'maker' ? schedule.maker : schedule.taker;
  return roundQuote(notional * rate);
}

/** Whether a fill on this side pays its fee in the base asset (a buy whose fee is taken from what it receives). */
export function feeInBase(side: 'buy' | 'sell', schedule: Pick<FeeSchedule, 'feesIn'>): boolean {
  return side === 'buy' && schedule.feesIn === 'received';
}

/** One fill's commission in the asset that pays it: base units for a buy under `received`, else quote. */
export function fillFee(
  side: 'buy' | 'sell',
  price: number,
  qty: number,
  liquidity: Liquidity,
  schedule: FeeSchedule,
): number {
  return feeFor(feeInBase(side, schedule) ? qty : price * qty, liquidity, schedule);
}

export function roundQuote(value: number): number {
  return Number(value.toFixed(8));
}
