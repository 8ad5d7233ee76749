/** A UTF-16 surrogate without its other half: a high one not followed by a low one, or a low one alone. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * A model's reply with every string made storable in PostgreSQL: U+0000 taken out, and a lone UTF-16
 * surrogate (half an emoji, which a reply's JSON can carry as the escape "\ud83d") replaced by U+FFFD.
 * jsonb refuses both (and text the NUL), so one in a verdict's reasons failed its audit row and the
 * stored decision, and each redelivery asked (and paid) the model again. Nothing a verdict says needs
 * either.
 */
export function storableText<T>(value: T): T {
  if (typeof value === 'string') return storableString(value) as T;
  if (Array.isArray(value)) return value.map(storableText) as T;
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [storableString(k), storableText(v)]),
    ) as T;
  return value;
}

function storableString(text: string): string {
  const withoutNul = text.includes('\u0000') ? text.replaceAll('\u0000', '') : text;
  return withoutNul.replace(LONE_SURROGATE, '\uFFFD');
}

/**
 * `text` cut to at most `maxChars` UTF-16 units without splitting a surrogate pair: `slice` can leave
 * half an emoji at the cut, which PostgreSQL's jsonb refuses (see storableText).
 */
export function cutText(text: string, maxChars: number): string {
  const cut = text.slice(0, maxChars);
  const last = cut.charCodeAt(cut.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? cut.slice(0, -1) : cut;
}
