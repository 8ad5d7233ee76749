import { Subjects, subject } from '@ballast/contracts';
import { marketCommand, waitFor } from '@ballast/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type RecordedVenue, simCcxtVenue, startRecordedVenue } from './testing/recorded-venue';
import { startSimOrders } from './testing/sim-orders';

// Binance's NOTIONAL filter carries a maximum (9,000,000 USDT), so every market close is checked
// against it. A stop's close must not wait for that on a REST order book, slow when the exchange is
// stressed, which is when stops fire: a close far below the cap reads no book at all.
const account = { apiKey: 'close-book-key', secret: 'close-book-secret' };

let venue: RecordedVenue;

beforeAll(async () => {
  venue = await startRecordedVenue('orders_close_book', account, { USDT: '10000', BTC: '0' });
});

afterAll(() => venue?.fixture.close());

it('sends a reduce-only close under a maximum notional without reading the order book', {
  timeout: 60_000,
}, async () => {
  const { fixture, events } = venue;
  const ccxtVenue = simCcxtVenue(fixture, account);
  const rules = ccxtVenue.marketRules.bind(ccxtVenue);
  ccxtVenue.marketRules = async (s: string) => ({ ...(await rules(s)), maxNotional: 9_000_000 });
  const book = ccxtVenue.orderBook.bind(ccxtVenue);
  const reads = { closing: false, count: 0 };
  // The book as a stressed exchange serves it: every read the close makes is counted, and slow.
  ccxtVenue.orderBook = async (s: string, n?: number) => {
    if (reads.closing) {
      reads.count++;
      await new Promise((resolve) => setTimeout(resolve, 5_000));
    }
    return book(s, n);
  };
  const stop = await startSimOrders(fixture, account, { TICK_MS: '20' }, undefined, { venue: ccxtVenue });
  try {
    await fixture.bus.publish(subject(Subjects.orderCommand, {}), marketCommand('cb-open', 'buy', 0.01));
    await waitFor(() => events.find((e) => e.intentId === 'cb-open' && e.status === 'filled'), 'open');
    reads.closing = true;
    await fixture.bus.publish(
      subject(Subjects.orderCommand, {}),
      marketCommand('cb-close', 'sell', 0.01, { reduceOnly: true }),
    );
    const filled = await waitFor(
      () => events.find((e) => e.intentId === 'cb-close' && e.status === 'filled'),
      'close filled',
      { timeoutMs: 3_000 },
    );
    expect(filled.filledQty).toBe(0.01);
    expect(reads.count).toBe(0);
  } finally {
    await stop();
  }
});
