/** Positions protected by a verified live stop over open positions; 1 when nothing is open. */
export function coverageRatio(openPositions: number, verifiedStops: number): number {
  if (openPositions <= 0) return 1;
  return Math.min(1, Math.max(0, verifiedStops) / openPositions);
}

/** What coverage reads of a position's record: its stop, and a move of it still waiting for a cancel. */
export interface CoveredPosition {
  qty: number;
  verified: boolean;
  pendingMove: { qty: number } | null;
}

/**
 * Whether a position counts as protected: its stop is verified on the venue and covers all the record
 * wants covered. A growth whose move waits for the old stop's cancel (`pendingMove`) is held beside a
 * stop on less: part of the position rests under no stop until the move is made.
 */
export function stopCovers(record: CoveredPosition): boolean {
  return record.verified && !(record.pendingMove && record.pendingMove.qty > record.qty + 1e-12);
}
