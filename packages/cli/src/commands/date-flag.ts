/** An ISO 8601 date, with a time and zone optional (`2021-01-01`, `2021-01-01T12:30`, `2021-01-01T12:30:00Z`). */
const ISO_DATE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/**
 * A date option (`--from`, `--to`): an ISO date or epoch ms, or an error naming the flag and the value.
 * Date.parse alone took `2021-02-30` as 2 March and `1 2` as 2 January 2001: a range nobody asked for.
 */
export function dateFlag(text: string, flag: string): number {
  const ms = /^\d+$/.test(text) ? Number(text) : isoDate(text);
  if (!Number.isFinite(ms)) throw new Error(`--${flag}: not a date or epoch ms: ${text}`);
  return ms;
}

/** `text` as epoch ms when it is an ISO date whose day is on the calendar; NaN otherwise. */
function isoDate(text: string): number {
  const match = ISO_DATE.exec(text);
  if (!match) return Number.NaN;
  const [year, month, day] = match.slice(1, 4).map(Number) as [number, number, number];
  const calendar = new Date(Date.UTC(year, month - 1, day));
  const onCalendar =
    calendar.getUTCFullYear() === year &&
    calendar.getUTCMonth() === month - 1 &&
    calendar.getUTCDate() === day;
  return onCalendar ? Date.parse(text) : Number.NaN;
}
