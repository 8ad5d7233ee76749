/** A planned slice of one TWAP: when it is due. */
export type PacedSlice = { clientOrderId: string; dueAt: number };

/**
 * A TWAP found more than one slice interval late (its next slice is due as well: the service was down,
 * or the loop stalled) is not sent in a burst: its planned slices all move later by how late the
 * earliest is, so that one goes now and the rest keep the plan's spacing from now. A last slice alone
 * is sent however late: there is nothing to burst. Slices all due at once (the chunks of a market
 * close above the venue's maximum, which the loop sends one per pass) have no spacing to keep and are
 * left alone. Returns the slices whose due time changes.
 */
export function respaceOverdue(planned: readonly PacedSlice[], now: number): PacedSlice[] {
  const [first, second] = byDue(planned);
  if (!first || !second || second.dueAt > now) return [];
  if (planned.every((s) => s.dueAt === first.dueAt)) return [];
  return shifted(planned, now - first.dueAt);
}

/**
 * A slice held back by the slippage guard waits until the next slice's due time (`interval` when it is
 * the last), and the slices after it move by as much, so the two never go out together.
 */
export function deferSlices(planned: readonly PacedSlice[], interval: number): PacedSlice[] {
  const [first, second] = byDue(planned);
  if (!first) return [];
  const wait = second && second.dueAt > first.dueAt ? second.dueAt - first.dueAt : interval;
  return shifted(planned, wait);
}

/** The record of a slice the slippage guard held back: how many times, and why the last time. */
export function slippageWaitDetail(waits: number, why: string): string {
  return `slippage wait ${waits}: ${why}`;
}

/** How many times the slippage guard has held this slice back, read from its recorded detail. */
export function slippageWaits(detail: string | null): number {
  const match = /^slippage wait (\d+):/.exec(detail ?? '');
  return match ? Number(match[1]) : 0;
}

function byDue(planned: readonly PacedSlice[]): PacedSlice[] {
  return [...planned].sort((a, b) => a.dueAt - b.dueAt);
}

function shifted(planned: readonly PacedSlice[], by: number): PacedSlice[] {
  return by > 0 ? planned.map((s) => ({ clientOrderId: s.clientOrderId, dueAt: s.dueAt + by })) : [];
}
