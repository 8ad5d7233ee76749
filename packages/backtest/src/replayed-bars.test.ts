import { join } from 'node:path';
import { CandleRepository, createDb, migrate, PGLITE_IN_MEMORY } from '@ballast/db';
import { storedBars } from '@ballast/stops-service';
import { sharedDataDir } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCandleFile } from './load-candles';
import { ReplayedBars } from './replayed-bars';

// Real Binance spot BTCUSDT 1h candles, January–March 2018: the 33-hour venue outage from 2018-02-08 00:00
// lies inside the warm-up's 202 bars for the first days after it.
const candles = loadCandleFile(
  { path: join(sharedDataDir(), 'binance-spot-ohlcv', 'BTCUSDT-1h.csv.gz') },
  { exchange: 'binance', timeframe: '1h', from: Date.UTC(2018, 0, 1), to: Date.UTC(2018, 2, 1) },
);
const HISTORY_TO = Date.UTC(2018, 1, 1);
let db: Awaited<ReturnType<typeof createDb>>;

beforeAll(async () => {
  db = await createDb({ pgliteDir: PGLITE_IN_MEMORY });
  await migrate(db.db);
  await new CandleRepository(db.db).upsertMany(candles);
});
afterAll(async () => {
  await db.db.destroy();
});

describe('ReplayedBars: the bars a run has closed, as live stops read them from the candles table', () => {
  it('gives the trailing ATR warm-up the bars the table gives live, none closed after the clock, across the outage', async () => {
    const replayed = new ReplayedBars(candles.filter((c) => c.openTime < HISTORY_TO));
    const table = storedBars(new CandleRepository(db.db), 'binance');
    for (const [i, c] of candles.filter((c) => c.openTime >= HISTORY_TO).entries()) {
      replayed.add(c);
      if (i % 12 !== 0) continue;
      // The clock at a close, and in the middle of the next bar: that bar is not closed yet.
      for (const closedBy of [c.closeTime + 1, c.closeTime + 1_800_000]) {
        const query = { symbol: 'BTC-USDT', timeframe: '1h' as const, bars: 202, closedBy };
        const ours = await replayed.recent(query);
        expect(ours.at(-1)?.openTime).toBe(c.openTime);
        expect(ours).toEqual(await table(query));
      }
    }
  });
});
