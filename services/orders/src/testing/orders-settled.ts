import { type ControlAck, Subjects, subject } from '@ballast/contracts';
import type { VenueFixture } from '@ballast/exchange-sim/testing';
import { waitFor } from '@ballast/testkit';

let barriers = 0;

/**
 * Resolves once the orders service has finished what it was doing when this was called (a loop pass and
 * its read of resting orders, a command): a resume (nothing is killed: it changes nothing) runs on the
 * service's serial queue behind that work, and is acknowledged after it.
 */
export async function ordersSettled(fixture: VenueFixture): Promise<void> {
  const acks: ControlAck[] = [];
  const sub = await fixture.bus.subscribe(
    subject(Subjects.controlAck, {}),
    (m) => void acks.push(m.payload),
    {
      durable: `test-orders-settled-${++barriers}`,
    },
  );
  try {
    const sent = await fixture.bus.publish(subject(Subjects.resume, {}), {
      reason: 'test barrier',
      requestedBy: 'test',
      confirm: true,
    });
    await waitFor(
      () => acks.find((a) => a.commandId === sent.id && a.service === 'orders'),
      'the orders service settled',
    );
  } finally {
    await sub.stop();
  }
}
