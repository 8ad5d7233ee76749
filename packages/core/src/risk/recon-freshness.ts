/**
 * Whether entries on a venue may go ahead as far as reconciliation is concerned, when it is required:
 * not before it has reported on the venue, nor once its last report (`heardAt`, the status's event
 * time) is older than `maxAgeMs` on risk's clock (a reconciliation that died must not leave its last
 * `reconciled` in force). `why` says what the denial tells; absent when it has simply not reported.
 */
export function reconFreshness(
  venue: string,
  heardAt: number | undefined,
  now: number,
  maxAgeMs: number,
): { fresh: true } | { fresh: false; why?: string } {
  if (heardAt === undefined) return { fresh: false };
  const age = now - heardAt;
  if (age <= maxAgeMs) return { fresh: true };
  return {
    fresh: false,
    why: `${venue}: the last reconciliation status is ${age} ms old (limit ${maxAgeMs} ms); reconciliation may have stopped`,
  };
}
