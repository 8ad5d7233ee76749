import { type ControlAck, type OrderEvent, type PositionEvent, Subjects, subject } from '@ballast/contracts';
import { CcxtVenue } from '@ballast/exchange';
import { startVenueFixture, type VenueFixture } from '@ballast/exchange-sim/testing';
import { marketCommand, waitFor } from '@ballast/testkit';
import { expect } from 'vitest';

export type SimAccount = { apiKey: string; secret: string };

/** A simulator fixture whose order events and control acks are recorded as they are published. */
export type RecordedVenue = { fixture: VenueFixture; events: OrderEvent[]; acks: ControlAck[] };

export async function startRecordedVenue(
  label: string,
  account: SimAccount,
  balances: Record<string, string>,
): Promise<RecordedVenue> {
  const fixture = await startVenueFixture({ label, account: { ...account, balances } });
  const events: OrderEvent[] = [];
  const acks: ControlAck[] = [];
  await fixture.bus.subscribe(subject(Subjects.orderEvent, {}), (m) => void events.push(m.payload), {
    durable: `test-${label}-events`,
  });
  await fixture.bus.subscribe(subject(Subjects.controlAck, {}), (m) => void acks.push(m.payload), {
    durable: `test-${label}-acks`,
  });
  return { fixture, events, acks };
}

/** Records the fixture's order and position events as they are published, into the arrays given. */
export async function recordOrderFlow(
  fixture: VenueFixture,
  events: OrderEvent[],
  positions: PositionEvent[],
): Promise<void> {
  await fixture.bus.subscribe(subject(Subjects.orderEvent, {}), (m) => void events.push(m.payload), {
    durable: 'test-order-events',
  });
  await fixture.bus.subscribe(subject(Subjects.positionEvent, {}), (m) => void positions.push(m.payload), {
    durable: 'test-position-events',
  });
}

/**
 * Proves the position of `intentId` holds its 0.01 once: a reduce-only sell of 1 sells the 0.01 bought,
 * no more (folded twice), no less, and closes the position.
 */
export async function expectClosedOnceBy(
  fixture: VenueFixture,
  flow: { events: OrderEvent[]; positions: PositionEvent[] },
  intentId: string,
): Promise<void> {
  const close = `${intentId}-close`;
  await fixture.bus.publish(
    subject(Subjects.orderCommand, {}),
    marketCommand(close, 'sell', 1, { reduceOnly: true }),
  );
  const closed = await waitFor(
    () => flow.events.find((e) => e.intentId === close && ['filled', 'rejected'].includes(e.status)),
    'the close',
  );
  expect([closed.status, closed.filledQty, closed.detail]).toEqual(['filled', 0.01, null]);
  await waitFor(() => flow.positions.find((p) => p.intentId === close && p.status === 'closed'), 'closed');
}

/** The live venue adapter (Binance through ccxt) on the simulator, for a test to wrap its calls. */
export function simCcxtVenue(fixture: VenueFixture, account: SimAccount): CcxtVenue {
  return new CcxtVenue({
    venue: 'binance',
    exchangeId: 'binance',
    baseUrl: fixture.sim.restUrl,
    credentials: account,
  });
}
