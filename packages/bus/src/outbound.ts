import type { Envelope, SubjectFamily } from '@ballast/contracts';
import type { BusLogger, BusObserver } from './bus';
import { type BusError, isBusError } from './bus-error';
import { checkOutbound } from './envelope-codec';

/** Validates an outbound envelope; an invalid one is counted, logged and thrown as a BusError. */
export function validateOutbound<T>(
  family: SubjectFamily<T>,
  envelope: Envelope<T>,
  observer: BusObserver,
  log: BusLogger,
): Envelope<T> {
  try {
    return checkOutbound(family, envelope);
  } catch (err) {
    if (!isBusError(err)) throw err;
    observer.message({ family: family.name, direction: 'out', outcome: 'invalid' });
    log.warn(
      { family: family.name, id: envelope.id, reason: (err as BusError).reason, error: err.message },
      'bus: refused to publish',
    );
    throw err;
  }
}
