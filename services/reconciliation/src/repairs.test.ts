import { MemoryBus } from '@ballast/bus';
import type { Clock } from '@ballast/contracts';
import type { Drift } from '@ballast/core';
import { OrderSliceRepository } from '@ballast/db';
import { btcSlice, type MigratedTestDb, migratedTestDb } from '@ballast/db/testing';
import type { OrderVenue } from '@ballast/exchange';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Repairs } from './repairs';
import { rowsRead } from './testing/rows-read';

const clock: Clock = { now: () => Date.UTC(2026, 10, 25, 12) };
const quiet = { warn() {}, error() {} };
// BTCUSDT's filters in binance-rest/2021-10-12_spot_api-v3-exchangeInfo.json.gz.
const BTCUSDT_RULES = { tickSize: 0.01, stepSize: 0.00001, minQty: 0.00001, minNotional: 10 };
// Adopting an order reads nothing of the venue but its id; setting a position, its market's rules.
const venue = { id: 'binance', marketRules: async () => BTCUSDT_RULES } as unknown as OrderVenue;

let bed: MigratedTestDb;
beforeAll(async () => {
  bed = await migratedTestDb('recon_repairs_adopt');
}, 60_000);
afterAll(async () => {
  await bed?.close();
});

/** An open limit buy of ours (our prefix) on the venue that our records do not hold. */
function unknownOrder(clientOrderId: string): Extract<Drift, { kind: 'unknown_order' }> {
  const order = {
    clientOrderId,
    venueOrderId: `v-${clientOrderId}`,
    symbol: 'BTC-USDT',
    side: 'buy' as const,
    status: 'accepted' as const,
    qty: 0.001,
    price: 25_000,
    filledQty: 0,
  };
  return {
    kind: 'unknown_order',
    key: `unknown:${clientOrderId}`,
    symbol: 'BTC-USDT',
    order,
    action: 'adopt',
    evidence: '',
  };
}

function repairsWith(slices: OrderSliceRepository): Repairs {
  const bus = new MemoryBus({ source: 'reconciliation', clock });
  return new Repairs({ bus, db: bed.db, venue, slices, clock, fillWaitMs: 0, log: quiet });
}

describe('adopting an unknown order of ours', () => {
  it('records it open with its venue order id in one write: a failing write after it cannot leave it planned', async () => {
    // The database fails any later write of the repair (down, or the process killed, between two writes).
    class FailingAfterInsert extends OrderSliceRepository {
      override async update(): Promise<void> {
        throw new Error('connection terminated');
      }
    }
    const outcome = await repairsWith(new FailingAfterInsert(bed.db, clock))
      .apply(unknownOrder('bl-adopt-1'), 'run-1', new Set())
      .catch((err: unknown) => err);
    expect(await new OrderSliceRepository(bed.db, clock).get('bl-adopt-1')).toMatchObject({
      status: 'open',
      venueOrderId: 'v-bl-adopt-1',
      qty: 0.001,
      price: 25_000,
      dueAt: Number.MAX_SAFE_INTEGER,
      detail: 'recorded by reconciliation',
    });
    expect(outcome).toBe('applied');
  });

  it('leaves an order the orders service recorded after our read (filled since) as it recorded it', async () => {
    const slices = new OrderSliceRepository(bed.db, clock);
    // The repair's read comes before the orders service records it: that read finds nothing.
    class ReadBeforeRecorded extends OrderSliceRepository {
      private first = true;
      override async get(clientOrderId: string) {
        if (!this.first) return super.get(clientOrderId);
        this.first = false;
        return undefined;
      }
    }
    await slices.plan([btcSlice('bl-adopt-2', { type: 'limit', price: 25_000 })], 'sending');
    await slices.update('bl-adopt-2', { status: 'filled', venueOrderId: 'v-bl-adopt-2', filledQty: 0.001 });
    const outcome = await repairsWith(new ReadBeforeRecorded(bed.db, clock)).apply(
      unknownOrder('bl-adopt-2'),
      'run-2',
      new Set(),
    );
    expect(outcome).toBe('applied');
    expect(await slices.get('bl-adopt-2')).toMatchObject({
      status: 'filled',
      filledQty: 0.001,
      intentId: 'intent-bl-adopt-2',
      detail: null,
    });
  });
});

describe('setting a position', () => {
  it("reads the books of the drift's market only", async () => {
    const slices = new OrderSliceRepository(bed.db, clock);
    const fill = (tradeId: string) => ({ tradeId, qty: 0.001, price: 25_000, fee: 0, feeAsset: 'USDT' });
    for (const [id, o] of [
      ['bl-pos-btc', {}],
      ['bl-pos-eth', { symbol: 'ETH-USDT' }],
      ['bl-pos-bybit', { exchange: 'bybit' }],
    ] as const) {
      await slices.plan([btcSlice(id, o)]);
      await slices.update(id, { status: 'filled', filledQty: 0.001, fills: [fill(`t-${id}`)] });
    }
    const read = rowsRead();
    const repairs = repairsWith(new OrderSliceRepository(bed.db.withPlugin(read.plugin), clock));
    const drift = {
      kind: 'position_qty',
      key: 'position:BTC-USDT',
      symbol: 'BTC-USDT',
      ours: 0,
      venue: 0.002,
      action: 'set_position',
      evidence: '',
    } as const;
    // Measured from books without its fill: superseded, measured again.
    expect(await repairs.apply(drift, 'run-3', new Set())).toBe('superseded');
    const ids = read.rows.map((r) => String(r.client_order_id));
    expect(ids.filter((id) => id.startsWith('bl-pos-'))).toEqual(['bl-pos-btc']);
  });
});
