import { derivedId } from '@ballast/contracts';

/**
 * The id of a position adjustment: from what it corrects (venue, market, our position before, the
 * signed adjustment, how many fills our books held), never from the run. Two reconcilers overlapping
 * (ADR 13's window) measure the same difference and ask for the same adjusting fill under one trade
 * id, which the orders service books once; its alert carries the same id, so it is said once. A later
 * difference is measured with this fill counted, so it gets another id.
 */
export function adjustmentKey(a: {
  venue: string;
  symbol: string;
  before: number;
  diff: number;
  fills: number;
}): string {
  return derivedId(a.venue, a.symbol, String(a.before), String(a.diff), String(a.fills));
}
