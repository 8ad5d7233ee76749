/** A date option (`--from`, `--to`): an ISO date or epoch ms, or an error naming the flag and the value. */
export function dateFlag(text: string, flag: string): number {
  const ms = /^\d+$/.test(text) ? Number(text) : Date.parse(text);
  if (!Number.isFinite(ms)) throw new Error(`--${flag}: not a date or epoch ms: ${text}`);
  return ms;
}
