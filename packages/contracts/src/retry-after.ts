const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const MONTH = `(${MONTHS.join('|')})`;
const TIME = '(\\d{2}):(\\d{2}):(\\d{2})';
/** RFC 9110 §5.6.7: IMF-fixdate, which senders use, and the two obsolete forms recipients must accept. */
const IMF_FIXDATE = new RegExp(`^[A-Z][a-z]{2}, (\\d{2}) ${MONTH} (\\d{4}) ${TIME} GMT$`);
const RFC_850 = new RegExp(`^[A-Z][a-z]+, (\\d{2})-${MONTH}-(\\d{2}) ${TIME} GMT$`);
const ASCTIME = new RegExp(`^[A-Z][a-z]{2} ${MONTH} ([ \\d]\\d) ${TIME} (\\d{4})$`);

/**
 * A `Retry-After` header as the wait in ms from `now`: delay-seconds (`120`, what Binance and Bybit
 * send) or an HTTP-date (`Wed, 21 Oct 2015 07:28:00 GMT`), a date already past being no wait. Null
 * when absent or neither form.
 */
export function parseRetryAfter(value: string | undefined, now: number): number | null {
  const text = value?.trim();
  if (text === undefined) return null;
  if (/^\d+$/.test(text)) return Number(text) * 1_000;
  const at = parseHttpDate(text, now);
  return at === null ? null : Math.max(0, at - now);
}

/** An HTTP-date as epoch ms (always UTC), or null. */
function parseHttpDate(text: string, now: number): number | null {
  const imf = IMF_FIXDATE.exec(text);
  if (imf) return utc(Number(imf[3]), imf[2], imf[1], imf.slice(4));
  const rfc850 = RFC_850.exec(text);
  if (rfc850) return utc(fullYear(Number(rfc850[3]), now), rfc850[2], rfc850[1], rfc850.slice(4));
  const asctime = ASCTIME.exec(text);
  if (asctime) return utc(Number(asctime[6]), asctime[1], asctime[2], asctime.slice(3, 6));
  return null;
}

/** RFC 9110: a two-digit year more than 50 years ahead of now is the latest past year ending so. */
function fullYear(twoDigits: number, now: number): number {
  const century = Math.floor(new Date(now).getUTCFullYear() / 100) * 100;
  const year = century + twoDigits;
  return year > new Date(now).getUTCFullYear() + 50 ? year - 100 : year;
}

function utc(year: number, month: string | undefined, day: string | undefined, hms: string[]): number | null {
  const [h = 0, m = 0, s = 0] = hms.map(Number);
  if (h > 23 || m > 59 || s > 60) return null;
  const at = Date.UTC(year, MONTHS.indexOf(month ?? ''), Number(day), h, m, s);
  // Date.UTC rolls an impossible date over (31 Feb → 3 Mar): such a header is not a date.
  return new Date(at).getUTCDate() === Number(day) ? at : null;
}
