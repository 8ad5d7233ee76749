import type { ControlAck } from '@ballast/contracts';

// The orders service's kill detail ends `flatten: <SYMBOL> <verdict>, <SYMBOL> <verdict>...`, each
// verdict `flat (...)`, `NOT flat: ...` or `unverified: ...` (Flatten.closePosition). The text
// names what is left; it is also the verdict of a producer that leaves the ack's `flat` unset.
const FLATTEN_SECTION = /(?:^|; )flatten: (.*)$/;
const ITEM_START = /, (?=\S+ (?:flat \(|NOT flat|unverified))/;
const NOT_FLAT_ITEM = /^\S+ (?:NOT flat|unverified)\b/;

/**
 * What a kill acknowledgement says its flatten left open, or null when it reports every position
 * flat, or no flatten. `flat: false` without a readable item yields the whole detail.
 */
export function flattenShortfall(ack: ControlAck): string | null {
  if (ack.command !== 'kill' || ack.flat === true) return null;
  const section = FLATTEN_SECTION.exec(ack.detail)?.[1];
  const items = section === undefined ? [] : section.split(ITEM_START).filter((i) => NOT_FLAT_ITEM.test(i));
  if (items.length > 0) return items.join('; ');
  return ack.flat === false ? ack.detail : null;
}
