/** Positions protected by a verified live stop over open positions; 1 when nothing is open. */
export function coverageRatio(openPositions: number, verifiedStops: number): number {
  if (openPositions <= 0) return 1;
  return Math.min(1, Math.max(0, verifiedStops) / openPositions);
}
