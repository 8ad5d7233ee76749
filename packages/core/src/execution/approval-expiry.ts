/**
 * Why an approved entry arriving at `now` is too late: risk reserves it until `expiresAt` (its
 * RISK_PENDING_TTL_MS), and an entry sent after that would go out beside entries approved since.
 * Null while it is in time, or for an approval that carries no expiry.
 */
export function approvalExpired(expiresAt: number | undefined, now: number): string | null {
  if (expiresAt === undefined || now <= expiresAt) return null;
  return `approved until ${new Date(expiresAt).toISOString()}, arrived ${now - expiresAt} ms later: risk no longer reserves it`;
}
