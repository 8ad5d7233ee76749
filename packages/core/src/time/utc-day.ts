export const DAY_MS = 86_400_000;

/** Start (00:00:00.000 UTC) of the UTC day containing `ms`; epoch ms carry no leap seconds. */
export function utcDayStart(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}
