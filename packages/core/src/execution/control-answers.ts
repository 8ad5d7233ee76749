import type { ControlAck } from '@ballast/contracts';

/** An acknowledgement's sender: `service@exchange`, or the service alone when an older one left it out. */
export function ackSender(ack: ControlAck): string {
  return ack.exchange ? `${ack.service}@${ack.exchange}` : ack.service;
}

/** Whether `ack` answers the expected entry `service` or `service@exchange`. */
export function answersEntry(ack: ControlAck, entry: string): boolean {
  const [service, exchange] = entry.split('@');
  return ack.service === service && (exchange === undefined || ack.exchange === exchange);
}

/**
 * The expected entries the acknowledgements of one command leave unanswered. With one risk and one orders
 * service per trading account, a bare entry (`orders`) is answered once that service answered for every
 * venue any service answered for: risk@bybit's ack makes `orders` wait for orders@bybit, so a second
 * venue's NOT flat is read, not hidden by the first venue's flat.
 */
export function unansweredEntries(expected: readonly string[], acks: readonly ControlAck[]): string[] {
  const venues = new Set(acks.flatMap((ack) => (ack.exchange ? [ack.exchange] : [])));
  return expected.flatMap((entry) => {
    if (!acks.some((ack) => answersEntry(ack, entry))) return [entry];
    if (entry.includes('@')) return [];
    return [...venues]
      .map((venue) => `${entry}@${venue}`)
      .filter((atVenue) => !acks.some((ack) => answersEntry(ack, atVenue)));
  });
}
