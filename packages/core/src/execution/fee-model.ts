/** Maker and taker commission as fractions of notional (0.001 = 0.1 %), charged in the quote asset. */
export type FeeSchedule = { maker: number; taker: number };

export type Liquidity = 'maker' | 'taker';

/** Commission for one fill, rounded to 1e-8 like the venue's quote balances. */
export function feeFor(notional: number, liquidity: Liquidity, schedule: FeeSchedule): number {
  const rate = liquidity === 'maker' ? schedule.maker : schedule.taker;
  return roundQuote(notional * rate);
}

export function roundQuote(value: number): number {
  return Number(value.toFixed(8));
}
