import { btcSlice } from '@ballast/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReconciler, buildVenue } from './service';
import { simReconConfig, simReconDeps, simSlices, startSimVenue } from './testing/sim-recon';

// The simulator lists the markets of its recorded exchangeInfo: XYZ-USDT is not among them, as a market
// the venue delisted after our orders traded it is not.
const ACCOUNT = { apiKey: 'recon-delisted-key', secret: 'recon-delisted-secret' };

let sim: Awaited<ReturnType<typeof startSimVenue>>;

beforeAll(async () => {
  sim = await startSimVenue('recon_delisted', ACCOUNT);
}, 120_000);

afterAll(async () => {
  await sim?.[Symbol.asyncDispose]();
});

describe('a market our orders traded that the venue no longer lists', { timeout: 120_000 }, () => {
  it('is left out of the runs, said so once, and the venue is still reconciled', async () => {
    const { fixture, bus } = sim;
    const slices = simSlices(fixture);
    await slices.plan([btcSlice('bl-xyz1', { symbol: 'XYZ-USDT', qty: 5 })]);
    const fill = { tradeId: '7', price: 2, qty: 5, fee: 0.01, feeAsset: 'USDT', liquidity: 'taker', time: 1 };
    await slices.update('bl-xyz1', { status: 'filled', fills: [fill], filledQty: 5, avgPrice: 2 });
    const config = simReconConfig(fixture, ACCOUNT);
    const warnings: Array<{ o: object; m: string }> = [];
    const log = { info() {}, error() {}, warn: (o: object, m: string) => void warnings.push({ o, m }) };
    const reconciler = buildReconciler({ ...simReconDeps(fixture, bus, config), log }, buildVenue(config));

    // Every run failed reading its trades (ccxt BadSymbol): the venue stayed unknown for good, so risk
    // opened nothing there and no drift of any other market was found or repaired.
    expect(await reconciler.run()).toMatchObject({ outcome: 'clean', status: 'reconciled' });
    expect(await reconciler.run()).toMatchObject({ outcome: 'clean', status: 'reconciled' });
    const said = warnings.filter((w) => JSON.stringify(w.o).includes('XYZ-USDT'));
    expect(said).toHaveLength(1);
    expect(said[0]?.m).toMatch(/no longer lists/);
  });
});
