import type { Clock } from '@ballast/contracts';
import { OrderSliceRepository, ProtectiveStopRepository, ReconRepository } from '@ballast/db';
import { btcSlice, type MigratedTestDb, migratedTestDb } from '@ballast/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLedger, StopView } from './ledger-reader';
import { rowsRead } from './testing/rows-read';

const clock: Clock = { now: () => Date.UTC(2026, 10, 25, 12) };

let bed: MigratedTestDb;
beforeAll(async () => {
  bed = await migratedTestDb('recon_ledger_reader');
}, 60_000);
afterAll(async () => {
  await bed?.close();
});

describe("reading one venue's books", () => {
  it("fetches that venue's orders only, never another account's", async () => {
    const slices = new OrderSliceRepository(bed.db, clock);
    await slices.plan([
      btcSlice('bl-binance-btc'),
      btcSlice('bl-binance-eth', { symbol: 'ETH-USDT' }),
      btcSlice('bl-bybit-btc', { exchange: 'bybit' }),
    ]);
    const read = rowsRead();
    const db = bed.db.withPlugin(read.plugin);
    const ledger = await readLedger(
      'binance',
      {
        db,
        slices: new OrderSliceRepository(db, clock),
        stops: new ProtectiveStopRepository(db, clock, StopView),
        recon: new ReconRepository(db, clock),
        clock,
        policy: { inFlightGraceMs: 10_000 },
      },
      null,
    );
    expect(ledger.snapshot.orders.map((o) => o.clientOrderId)).toEqual(['bl-binance-btc', 'bl-binance-eth']);
    expect(read.rows.filter((r) => r.client_order_id === 'bl-bybit-btc')).toEqual([]);
  });
});
