import { describe, expect, it } from 'vitest';
import { stopOrderId } from '../execution/order-owner';
import { balancesAfterTrades } from './balance-drifts';
import { checkKeySafety } from './key-safety';
import { acknowledgedKeys } from './order-drifts';
import { isPositionDrift, positionAdjustment } from './position-drifts';
import { type Drift, driftBeforeAfter } from './recon-drift';
import type { ReconPolicy } from './recon-policy';
import type {
  LedgerOrder,
  LedgerSnapshot,
  VenueOrderState,
  VenueSnapshot,
  VenueTrade,
} from './recon-snapshot';
import { reconcile } from './reconcile';
import { withoutMovedStops } from './stop-drifts';

const NOW = 1_700_000_000_000;
const policy: ReconPolicy = {
  clientIdPrefix: 'bl-',
  externalOrders: 'leave',
  inFlightGraceMs: 10_000,
  positionTolerance: { 'BTC-USDT': 0.00001 },
  balanceTolerance: { default: 0.000001 },
  stopsOnVenue: true,
  now: NOW,
};
/** For fills and positions alone: a position held without a stop record would be a missing stop. */
const noStops: ReconPolicy = { ...policy, stopsOnVenue: false };

const venue = (v: Partial<VenueSnapshot> = {}): VenueSnapshot => ({
  venue: 'binance',
  balances: {},
  openOrders: [],
  trades: [],
  positions: null,
  lookups: {},
  ...v,
});
const ledger = (l: Partial<LedgerSnapshot> = {}): LedgerSnapshot => ({
  venue: 'binance',
  orders: [],
  tradeKeys: new Set(),
  positions: {},
  stops: [],
  balances: null,
  acknowledged: new Set(),
  orphanStopsSeen: new Set(),
  ...l,
});
const trade = (t: Partial<VenueTrade> = {}): VenueTrade => ({
  tradeId: '7',
  venueOrderId: '3',
  symbol: 'BTC-USDT',
  side: 'buy',
  price: 58_000,
  qty: 0.002,
  fee: 0.116,
  feeAsset: 'USDT',
  liquidity: 'taker',
  time: NOW - 1000,
  ...t,
});
const ours = (o: Partial<LedgerOrder> = {}): LedgerOrder => ({
  clientOrderId: 'bl-a',
  venueOrderId: '3',
  symbol: 'BTC-USDT',
  side: 'buy',
  qty: 0.002,
  status: 'open',
  filledQty: 0,
  updatedAt: NOW - 60_000,
  ...o,
});
const onVenue = (o: Partial<VenueOrderState> = {}): VenueOrderState => ({
  clientOrderId: 'bl-a',
  venueOrderId: '3',
  symbol: 'BTC-USDT',
  side: 'buy',
  status: 'accepted',
  qty: 0.002,
  price: 50_000,
  filledQty: 0,
  ...o,
});

const STOP = {
  positionId: 'binance:BTC-USDT',
  symbol: 'BTC-USDT',
  clientOrderId: 'bl-s1',
  qty: 0.002,
  stopPrice: 50_000,
};

describe('reconcile', () => {
  it('is clean when the venue and our records agree', () => {
    const v = reconcile(
      venue({ openOrders: [onVenue()], balances: { USDT: 100 }, positions: {} }),
      ledger({ orders: [ours()], balances: { USDT: 100 } }),
      policy,
    );
    expect(v).toEqual({ venue: 'binance', drifts: [], settles: true, nextBaseline: { USDT: 100 } });
  });

  it('ingests a venue fill we never recorded, under its order, and then counts it in the position', () => {
    const t = trade();
    const v = reconcile(
      venue({
        trades: [t],
        lookups: { 'bl-a': onVenue({ status: 'filled', filledQty: 0.002 }) },
        positions: { 'BTC-USDT': 0.002 },
      }),
      ledger({ orders: [ours()] }),
      noStops,
    );
    expect(v.drifts.map((d) => [d.kind, d.action])).toEqual([
      ['missing_fill', 'ingest_fill'],
      ['order_state', 'set_status'],
    ]);
    expect(v.drifts[0]).toMatchObject({ key: 'fill:BTC-USDT:7', clientOrderId: 'bl-a', trade: t });
    expect(v.drifts[1]).toMatchObject({ clientOrderId: 'bl-a', ours: 'open', status: 'filled' });
    expect(v.settles).toBe(true);
  });

  it('does not report a fill already in our records, nor the same trade twice', () => {
    const v = reconcile(
      venue({ trades: [trade(), trade(), trade({ tradeId: '8' })] }),
      ledger({ orders: [ours({ status: 'filled' })], tradeKeys: new Set(['BTC-USDT:7']) }),
      noStops,
    );
    expect(v.drifts.map((d) => d.key)).toEqual(['fill:BTC-USDT:8']);
  });

  it("reports a trade on one market whose id is another market's recorded fill: venues number trades per market", () => {
    const eth = trade({ symbol: 'ETH-USDT', price: 2_000, qty: 0.5, fee: 1 });
    const v = reconcile(
      venue({ trades: [trade(), eth] }),
      ledger({ orders: [ours({ status: 'filled' })], tradeKeys: new Set(['BTC-USDT:7']) }),
      noStops,
    );
    expect(v.drifts.map((d) => [d.kind, d.key])).toEqual([['missing_fill', 'fill:ETH-USDT:7']]);
    // Its venue order id is our BTC-USDT order's too (order ids count per market as well): not ours.
    expect(v.drifts[0]).toMatchObject({ symbol: 'ETH-USDT', trade: eth, clientOrderId: null });
  });

  it('names no owner for a fill of an order we never placed', () => {
    const v = reconcile(venue({ trades: [trade({ venueOrderId: '99' })] }), ledger(), policy);
    expect(v.drifts[0]).toMatchObject({ kind: 'missing_fill', clientOrderId: null });
  });

  it('adopts an unknown open order carrying our prefix and leaves an external one, once', () => {
    const mine = onVenue({ clientOrderId: 'bl-zz', venueOrderId: '11' });
    const web = onVenue({ clientOrderId: 'web_1', venueOrderId: '12' });
    const v = reconcile(venue({ openOrders: [mine, web] }), ledger(), policy);
    expect(v.drifts.map((d) => [d.kind, d.key, d.action])).toEqual([
      ['unknown_order', 'order:BTC-USDT:11', 'adopt'],
      ['unknown_order', 'order:BTC-USDT:12', 'leave'],
    ]);
    const again = reconcile(
      venue({ openOrders: [web] }),
      ledger({ acknowledged: new Set(['order:BTC-USDT:12']) }),
      policy,
    );
    expect(again.drifts).toEqual([]);
  });

  it("reports an external order whose number is another market's acknowledged one, each under its own key", () => {
    const eth = onVenue({ clientOrderId: 'web_eth', venueOrderId: '1', symbol: 'ETH-USDT' });
    const btc = onVenue({ clientOrderId: 'web_btc', venueOrderId: '1' });
    const both = reconcile(venue({ openOrders: [eth, btc] }), ledger(), policy);
    expect(new Set(both.drifts.map((d) => d.key)).size).toBe(2);
    // Acknowledged before keys named the market: still acknowledged, in its own market only.
    const legacy = acknowledgedKeys([{ driftKey: 'order:1', after: { order: eth, action: 'leave' } }]);
    const v = reconcile(venue({ openOrders: [eth, btc] }), ledger({ acknowledged: legacy }), policy);
    expect(v.drifts.map((d) => d.key)).toEqual(['order:BTC-USDT:1']);
  });

  it('cancels an external order when configured to', () => {
    const web = onVenue({ clientOrderId: 'web_1', venueOrderId: '12' });
    const v = reconcile(venue({ openOrders: [web] }), ledger(), { ...policy, externalOrders: 'cancel' });
    expect(v.drifts[0]).toMatchObject({ kind: 'unknown_order', action: 'cancel' });
  });

  it('cancels an order of ours resting on the venue that our records hold over, and only such', () => {
    const resting = (id: string) => onVenue({ clientOrderId: id, venueOrderId: id.slice(3) });
    const v = reconcile(
      venue({ openOrders: ['bl-r1', 'bl-c2', 'bl-x3', 'bl-o4', 'bl-f5'].map(resting) }),
      ledger({
        orders: [
          ours({ clientOrderId: 'bl-r1', status: 'rejected', venueOrderId: null }),
          ours({ clientOrderId: 'bl-c2', status: 'cancelled', venueOrderId: 'c2' }),
          ours({ clientOrderId: 'bl-x3', status: 'aborted', venueOrderId: null }),
          ours({ clientOrderId: 'bl-o4', status: 'open', venueOrderId: 'o4' }),
          ours({ clientOrderId: 'bl-f5', status: 'filled', venueOrderId: 'f5', filledQty: 0.002 }),
        ],
      }),
      noStops,
    );
    expect(v.drifts.map((d) => [d.kind, d.key, d.action])).toEqual([
      ['unknown_order', 'order:BTC-USDT:r1', 'cancel'],
      ['unknown_order', 'order:BTC-USDT:c2', 'cancel'],
      ['unknown_order', 'order:BTC-USDT:x3', 'cancel'],
    ]);
    expect(v.drifts[0]?.evidence).toMatch(/bl-r1 .*recorded rejected/);
  });

  it('does not take our own resting stop for an unknown order', () => {
    const stop = onVenue({ clientOrderId: 'bl-s1', venueOrderId: '20', side: 'sell' });
    const v = reconcile(
      venue({ openOrders: [stop], positions: { 'BTC-USDT': 0.002 } }),
      ledger({
        positions: { 'BTC-USDT': 0.002 },
        stops: [STOP],
      }),
      policy,
    );
    expect(v.drifts).toEqual([]);
  });

  it('never adopts a stop of ours no record names: cancelled when orphaned twice with nothing to protect, flagged (blocking) otherwise', () => {
    const orphan = onVenue({ clientOrderId: stopOrderId('bl-', 'binance:BTC-USDT', 2), side: 'sell' });
    const flatVenue = venue({ openOrders: [orphan], positions: { 'BTC-USDT': 0 } });
    const first = reconcile(flatVenue, ledger(), policy);
    expect(first.drifts.map((d) => [d.kind, d.action])).toEqual([['orphan_stop', 'flag']]);
    expect(first.settles).toBe(false);
    const seen = new Set(first.drifts.map((d) => d.key));
    const flat = reconcile(flatVenue, ledger({ orphanStopsSeen: seen }), policy);
    expect(flat.drifts.map((d) => [d.kind, d.action])).toEqual([['orphan_stop', 'cancel']]);
    expect(flat.settles).toBe(true);
    const held = reconcile(
      venue({ openOrders: [orphan], positions: { 'BTC-USDT': 0.002 } }),
      ledger({ positions: { 'BTC-USDT': 0.002 }, stops: [{ ...STOP, clientOrderId: orphan.clientOrderId }] }),
      policy,
    );
    expect(held.drifts).toEqual([]);
    const beside = reconcile(
      venue({ openOrders: [orphan], positions: { 'BTC-USDT': 0.002 } }),
      ledger({ positions: { 'BTC-USDT': 0.002 } }),
      policy,
    );
    // No record names the position either: it is unprotected as far as our records know.
    expect(beside.drifts.map((d) => [d.kind, d.action])).toEqual([
      ['orphan_stop', 'flag'],
      ['missing_stop', 'replace_stop'],
    ]);
    expect(beside.settles).toBe(false);
  });

  it('cancels an orphan stop left over a dust position no order can sell, seen twice: it protects nothing', () => {
    const orphan = onVenue({
      clientOrderId: stopOrderId('bl-', 'binance:ETH-USDT', 1),
      side: 'sell',
      symbol: 'ETH-USDT',
    });
    const seen = new Set([`orphan-stop:ETH-USDT:${orphan.clientOrderId}`]);
    const rules = { stepSize: 0.0001, minQty: 0.0001, minNotional: 5 };
    const dustPolicy = (price: number): ReconPolicy => ({
      ...policy,
      positionTolerance: { 'ETH-USDT': 0.0001 },
      dust: { 'ETH-USDT': { rules, price } },
    });
    const held = (qty: number, price: number) =>
      reconcile(
        venue({ openOrders: [orphan], positions: { 'ETH-USDT': qty } }),
        ledger({ positions: { 'ETH-USDT': qty }, orphanStopsSeen: seen }),
        dustPolicy(price),
      ).drifts.map((d) => [d.kind, d.action]);
    // 0.0005 ETH at 3,200 is 1.60, under the 5 minimum order value: the exit closed on it.
    expect(held(0.0005, 3_200)).toEqual([['orphan_stop', 'cancel']]);
    // 0.002 ETH (6.40) is a position the stop may be guarding.
    expect(held(0.002, 3_200)).toEqual([
      ['orphan_stop', 'flag'],
      ['missing_stop', 'replace_stop'],
    ]);
  });

  it('never cancels an orphan stop while the venue holds a position our books miss (first run, books off)', () => {
    const orphan = onVenue({ clientOrderId: stopOrderId('bl-', 'binance:BTC-USDT', 1), side: 'sell' });
    const seen = new Set([`orphan-stop:BTC-USDT:${orphan.clientOrderId}`]);
    const v = reconcile(
      venue({ openOrders: [orphan], positions: { 'BTC-USDT': 0.002 }, balances: { BTC: 0.002 } }),
      ledger({ orphanStopsSeen: seen }),
      policy,
    );
    expect(v.drifts.map((d) => [d.kind, d.action])).toEqual([
      ['orphan_stop', 'flag'],
      ['position_qty', 'set_position'],
    ]);
    expect(v.settles).toBe(false);
  });

  it('never cancels an orphan stop while an order of ours in its market is in flight or awaiting fills', () => {
    const orphan = onVenue({ clientOrderId: stopOrderId('bl-', 'binance:BTC-USDT', 1), side: 'sell' });
    const seen = new Set([`orphan-stop:BTC-USDT:${orphan.clientOrderId}`]);
    // Our entry, sent, filled after the trade read; the stops service placed its stop, record not saved yet.
    const entry = ours({ clientOrderId: 'bl-e1', venueOrderId: null, status: 'sending' });
    const filled = onVenue({ clientOrderId: 'bl-e1', status: 'filled', filledQty: 0.002 });
    const v = reconcile(
      venue({ openOrders: [orphan], positions: { 'BTC-USDT': 0 }, lookups: { 'bl-e1': filled } }),
      ledger({ orders: [entry], orphanStopsSeen: seen }),
      policy,
    );
    expect(v.drifts.map((d) => [d.kind, d.action])).toEqual([
      ['orphan_stop', 'flag'],
      ['order_state', 'await_venue'],
    ]);
    for (const status of ['planned', 'open'] as const) {
      const pending = reconcile(
        venue({ openOrders: [orphan], positions: { 'BTC-USDT': 0 } }),
        ledger({ orders: [ours({ status, updatedAt: NOW })], orphanStopsSeen: seen }),
        policy,
      );
      expect(pending.drifts.filter((d) => d.kind === 'orphan_stop').map((d) => d.action)).toEqual(['flag']);
    }
  });

  it('drops stop drifts a moved stop explains once the stop records are read again', () => {
    const next = stopOrderId('bl-', STOP.positionId, 2);
    const moved = onVenue({ clientOrderId: next, side: 'sell' });
    const v = reconcile(
      venue({ openOrders: [moved], positions: { 'BTC-USDT': 0.002 } }),
      ledger({ positions: { 'BTC-USDT': 0.002 }, stops: [STOP] }),
      policy,
    );
    expect(v.drifts.map((d) => d.kind).sort()).toEqual(['missing_stop', 'orphan_stop']);
    expect(withoutMovedStops(v.drifts, [{ ...STOP, clientOrderId: next }])).toEqual([]);
    expect(
      withoutMovedStops(v.drifts, [STOP])
        .map((d) => d.kind)
        .sort(),
    ).toEqual(['missing_stop', 'orphan_stop']);
  });

  it("judges a slot's stop, not the leftover of its previous position kept beside it (qty 0)", () => {
    const leftover = { ...STOP, clientOrderId: 'bl-s0', qty: 0 };
    const resting = onVenue({ clientOrderId: leftover.clientOrderId, side: 'sell' });
    // The new position's stop is not on the venue; the leftover, still resting, is known.
    const v = reconcile(
      venue({ openOrders: [resting], positions: { 'BTC-USDT': 0.002 } }),
      ledger({ positions: { 'BTC-USDT': 0.002 }, stops: [STOP, leftover] }),
      policy,
    );
    expect(v.drifts.map((d) => [d.kind, d.key])).toEqual([['missing_stop', 'stop:binance:BTC-USDT:bl-s1']]);
    // Read again in the order the store gives (the leftover's row sorts after the slot's): still missing.
    expect(withoutMovedStops(v.drifts, [STOP, leftover]).map((d) => d.kind)).toEqual(['missing_stop']);
    // A leftover whose stop is gone from the venue is not a missing stop either.
    const gone = reconcile(
      venue({
        openOrders: [onVenue({ clientOrderId: STOP.clientOrderId, side: 'sell' })],
        positions: { 'BTC-USDT': 0.002 },
      }),
      ledger({ positions: { 'BTC-USDT': 0.002 }, stops: [STOP, leftover] }),
      policy,
    );
    expect(gone.drifts).toEqual([]);
  });

  it('reports a position no stop record names (a leftover is no record of it), and not dust', () => {
    const leftover = { ...STOP, clientOrderId: 'bl-s0', qty: 0 };
    const v = reconcile(
      venue(),
      ledger({ positions: { 'BTC-USDT': -0.002, 'ETH-USDT': 0.5 }, stops: [leftover] }),
      { ...policy, positionTolerance: { 'BTC-USDT': 0.00001, 'ETH-USDT': 0.5 } },
    );
    expect(v.drifts).toEqual([
      {
        kind: 'missing_stop',
        key: 'stop:binance:BTC-USDT:unrecorded:0.002',
        symbol: 'BTC-USDT',
        positionId: 'binance:BTC-USDT',
        clientOrderId: null,
        coverage: 'unrecorded',
        positionQty: 0.002,
        action: 'replace_stop',
        evidence: 'binance:BTC-USDT holds 0.002 and no stop record names it',
      },
    ]);
    expect(v.settles).toBe(false);
    expect(driftBeforeAfter(v.drifts[0] as Drift).before).toEqual({
      positionId: 'binance:BTC-USDT',
      clientOrderId: null,
      coverage: 'unrecorded',
      positionQty: 0.002,
    });
    const off = reconcile(venue(), ledger({ positions: { 'BTC-USDT': 0.002 } }), noStops);
    expect(off.drifts).toEqual([]);
  });

  it('leaves dust no order can sell unprotected: what an exit the orders service closed on it left', () => {
    const rules = { stepSize: 0.0001, minQty: 0.0001, minNotional: 5 };
    const held = (qty: number, price: number) =>
      reconcile(venue(), ledger({ positions: { 'ETH-USDT': qty } }), {
        ...policy,
        positionTolerance: { 'ETH-USDT': 0.0001 },
        dust: { 'ETH-USDT': { rules, price } },
      });
    // 0.0005 ETH at 3,200 is worth 1.60, under the 5 minimum order value: no order can sell it.
    expect(held(0.0005, 3_200).drifts).toEqual([]);
    expect(held(0.0005, 3_200).settles).toBe(true);
    // 0.002 ETH (6.40) can be sold, so it is a position that needs a stop.
    expect(held(0.002, 3_200).drifts.map((d) => d.kind === 'missing_stop' && d.coverage)).toEqual([
      'unrecorded',
    ]);
    // Unpriced, only the minimum quantity tells dust.
    expect(held(0.0005, 0).drifts).toHaveLength(1);
  });

  it('leaves a position whose order changed within the in-flight grace to the next run: its stop record may not be saved yet', () => {
    const filled = {
      clientOrderId: 'bl-e1',
      venueOrderId: '3',
      symbol: 'BTC-USDT',
      side: 'buy' as const,
      qty: 0.002,
      status: 'filled' as const,
      filledQty: 0.002,
      updatedAt: NOW - 2_000,
    };
    const held = { positions: { 'BTC-USDT': 0.002 } };
    expect(reconcile(venue(), ledger({ ...held, orders: [filled] }), policy).drifts).toEqual([]);
    const later = reconcile(venue(), ledger({ ...held, orders: [filled] }), { ...policy, now: NOW + 10_000 });
    expect(later.drifts.map((d) => d.kind === 'missing_stop' && d.coverage)).toEqual(['unrecorded']);
  });

  it('drops an unrecorded position whose stop record was saved after the venue read, not one still unnamed', () => {
    const v = reconcile(venue(), ledger({ positions: { 'BTC-USDT': 0.002 } }), policy);
    expect(v.drifts.map((d) => d.kind)).toEqual(['missing_stop']);
    expect(withoutMovedStops(v.drifts, [STOP])).toEqual([]);
    expect(withoutMovedStops(v.drifts, [{ ...STOP, clientOrderId: null }])).toEqual([]);
    const leftover = { ...STOP, positionId: 'binance:BTC-USDT~bl-s0', clientOrderId: 'bl-s0', qty: 0 };
    expect(withoutMovedStops(v.drifts, [leftover])).toEqual(v.drifts);
  });

  it('reports a stop resting for less than the position beyond one lot, with what it holds', () => {
    const resting = onVenue({ clientOrderId: STOP.clientOrderId, side: 'sell', qty: 0.002, filledQty: 0 });
    const short = reconcile(
      venue({ openOrders: [resting] }),
      ledger({ positions: { 'BTC-USDT': 0.003 }, stops: [STOP] }),
      policy,
    );
    expect(short.drifts).toEqual([
      {
        kind: 'missing_stop',
        key: 'stop:binance:BTC-USDT:bl-s1:short:0.003',
        symbol: 'BTC-USDT',
        positionId: 'binance:BTC-USDT',
        clientOrderId: 'bl-s1',
        coverage: 'short',
        positionQty: 0.003,
        action: 'replace_stop',
        evidence: 'stop bl-s1 rests for 0.002 of the 0.003 binance:BTC-USDT holds',
      },
    ]);
    expect(driftBeforeAfter(short.drifts[0] as Drift).before).toMatchObject({
      coverage: 'short',
      positionQty: 0.003,
    });
    // Within one lot step (rounding), or a stop as large as the position: covered.
    for (const held of [0.00201, 0.002, 0.0015]) {
      const v = reconcile(
        venue({ openOrders: [resting] }),
        ledger({ positions: { 'BTC-USDT': held }, stops: [STOP] }),
        policy,
      );
      expect(v.drifts).toEqual([]);
    }
    // What rests is what is left unfilled of the stop.
    const partly = reconcile(
      venue({ openOrders: [{ ...resting, filledQty: 0.001 }] }),
      ledger({ positions: { 'BTC-USDT': 0.002 }, stops: [STOP] }),
      policy,
    );
    expect(partly.drifts.map((d) => d.kind === 'missing_stop' && d.coverage)).toEqual(['short']);
    // Short on purpose while a take-profit sells or a move waits: no drift, and none once read so again.
    const selling = reconcile(
      venue({ openOrders: [resting] }),
      ledger({ positions: { 'BTC-USDT': 0.003 }, stops: [{ ...STOP, resizing: true }] }),
      policy,
    );
    expect(selling.drifts).toEqual([]);
    expect(withoutMovedStops(short.drifts, [{ ...STOP, resizing: true }])).toEqual([]);
    // Still short with the same stop when read again; gone once the stop was moved.
    expect(withoutMovedStops(short.drifts, [STOP])).toEqual(short.drifts);
    expect(withoutMovedStops(short.drifts, [{ ...STOP, clientOrderId: 'bl-s2', qty: 0.003 }])).toEqual([]);
  });

  it('keeps a missing stop whose record the stops service cleared (gave up placing it) when read again', () => {
    const v = reconcile(
      venue({ positions: { 'BTC-USDT': 0.002 } }),
      ledger({ positions: { 'BTC-USDT': 0.002 }, stops: [STOP] }),
      policy,
    );
    expect(v.drifts.map((d) => d.kind)).toEqual(['missing_stop']);
    expect(withoutMovedStops(v.drifts, [{ ...STOP, clientOrderId: null }]).map((d) => d.kind)).toEqual([
      'missing_stop',
    ]);
  });

  it('never closes an order with less filled than the venue reports: its trades are awaited first', () => {
    const filled = onVenue({ status: 'filled', filledQty: 0.002 });
    const early = reconcile(venue({ lookups: { 'bl-a': filled } }), ledger({ orders: [ours()] }), policy);
    expect(early.drifts.map((d) => [d.kind, d.action])).toEqual([['order_state', 'await_venue']]);
    expect(early.settles).toBe(false);
    const withTrade = reconcile(
      venue({ lookups: { 'bl-a': filled }, trades: [trade()] }),
      ledger({ orders: [ours()] }),
      policy,
    );
    expect(withTrade.drifts.find((d) => d.kind === 'order_state')).toMatchObject({
      action: 'set_status',
      status: 'filled',
    });
  });

  it('follows the venue for an order it reports cancelled, and cancels one it does not know', () => {
    const v = reconcile(
      venue({ lookups: { 'bl-a': onVenue({ status: 'cancelled' }), 'bl-b': null } }),
      ledger({ orders: [ours(), ours({ clientOrderId: 'bl-b', venueOrderId: '4' })] }),
      policy,
    );
    expect(
      v.drifts.map((d) => (d.kind === 'order_state' ? [d.clientOrderId, d.status, d.action] : d.kind)),
    ).toEqual([
      ['bl-a', 'cancelled', 'set_status'],
      ['bl-b', 'cancelled', 'set_status'],
    ]);
  });

  it('does not cancel an order recorded open within the grace that the venue cannot find yet, only after it', () => {
    const placed = ours({ updatedAt: NOW - 2_000 });
    const fresh = reconcile(venue({ lookups: { 'bl-a': null } }), ledger({ orders: [placed] }), policy);
    expect(fresh.drifts).toEqual([]);
    const old = reconcile(
      venue({ lookups: { 'bl-a': null } }),
      ledger({ orders: [{ ...placed, updatedAt: NOW - 10_000 }] }),
      policy,
    );
    expect(old.drifts).toEqual([
      expect.objectContaining({ kind: 'order_state', key: 'state:bl-a:cancelled', status: 'cancelled' }),
    ]);
    // What the venue does say is followed at once: a fresh order it reports cancelled is cancelled.
    const said = reconcile(
      venue({ lookups: { 'bl-a': onVenue({ status: 'cancelled' }) } }),
      ledger({ orders: [placed] }),
      policy,
    );
    expect(said.drifts).toEqual([expect.objectContaining({ kind: 'order_state', status: 'cancelled' })]);
  });

  it('never assumes an in-flight order rejected: it awaits the venue and blocks, after the grace period only', () => {
    const sending = ours({ status: 'sending', venueOrderId: null, updatedAt: NOW - 2_000 });
    const fresh = reconcile(venue({ lookups: { 'bl-a': null } }), ledger({ orders: [sending] }), policy);
    expect(fresh.drifts).toEqual([]);
    const old = reconcile(
      venue({ lookups: { 'bl-a': null } }),
      ledger({ orders: [{ ...sending, updatedAt: NOW - 60_000 }] }),
      policy,
    );
    expect(old.drifts[0]).toMatchObject({ kind: 'order_state', action: 'await_venue', status: null });
    expect(old.settles).toBe(false);
  });

  it('marks an in-flight order open when the venue holds it open', () => {
    const v = reconcile(
      venue({ openOrders: [onVenue()] }),
      ledger({ orders: [ours({ status: 'sending', venueOrderId: null })] }),
      policy,
    );
    expect(v.drifts[0]).toMatchObject({ kind: 'order_state', status: 'open', ours: 'sending' });
  });

  it("leaves a just-sent order's state to the orders service, whatever the venue shows, until the grace ends", () => {
    const sending = ours({ status: 'sending', venueOrderId: null, updatedAt: NOW - 2_000 });
    const open = reconcile(venue({ openOrders: [onVenue()] }), ledger({ orders: [sending] }), policy);
    const filled = reconcile(
      venue({ lookups: { 'bl-a': onVenue({ status: 'filled', filledQty: 0.002 }) } }),
      ledger({ orders: [sending] }),
      policy,
    );
    expect([open.drifts, filled.drifts]).toEqual([[], []]);
    const late = reconcile(
      venue({ openOrders: [onVenue({ filledQty: 0.001 })] }),
      ledger({ orders: [{ ...sending, updatedAt: NOW - 10_000 }] }),
      policy,
    );
    expect(late.drifts).toEqual([
      expect.objectContaining({ kind: 'order_state', status: 'open', ours: 'sending', oursFilledQty: 0 }),
    ]);
  });

  it('sets a position to the venue quantity only when it still differs after the missing fills', () => {
    const t = trade({ venueOrderId: '99', qty: 0.002 });
    const settled = reconcile(
      venue({ trades: [t], positions: { 'BTC-USDT': 0.003 } }),
      ledger({ positions: { 'BTC-USDT': 0.001 } }),
      noStops,
    );
    expect(settled.drifts.map((d) => d.kind)).toEqual(['missing_fill']);
    const off = reconcile(
      venue({ positions: { 'BTC-USDT': 0.0065 } }),
      ledger({ positions: { 'BTC-USDT': 0.0075 } }),
      noStops,
    );
    expect(off.drifts).toEqual([
      {
        kind: 'position_qty',
        key: 'position:BTC-USDT:0.0065',
        symbol: 'BTC-USDT',
        ours: 0.0075,
        venue: 0.0065,
        action: 'set_position',
        evidence: 'BTC-USDT: our fills add up to 0.0075, the venue holds 0.0065',
      },
    ]);
    expect(off.settles).toBe(true);
    expect(driftBeforeAfter(off.drifts[0] as never)).toEqual({
      before: { qty: 0.0075 },
      after: { qty: 0.0065 },
    });
  });

  it('never sets a spot short: holdings above the balance wait for the operator, and the run does not settle', () => {
    // RECON_BASE_HOLDINGS {"BTC":0.5} and 0.1 BTC of those coins withdrawn: the venue "holds" -0.1.
    const v = reconcile(
      venue({ balances: { BTC: 0.4 }, positions: { 'BTC-USDT': -0.1 } }),
      ledger({ balances: { BTC: 0.5 } }),
      noStops,
    );
    expect(v.drifts.map((d) => [d.kind, d.action, d.key])).toEqual([
      ['position_unexplained', 'await_operator', 'unexplained:BTC-USDT:holdings_exceed_balance:-0.1'],
      ['balance', 'flag', 'balance:BTC:0.4'],
    ]);
    expect(v.drifts[0]).toMatchObject({ reason: 'holdings_exceed_balance', ours: 0, venue: -0.1 });
    expect(v.settles).toBe(false);
    // Without a balance flag too (a first run, or the baseline already followed): still never set.
    const first = reconcile(
      venue({ positions: { 'BTC-USDT': -0.1 } }),
      ledger({ positions: { 'BTC-USDT': -0.1 } }),
      noStops,
    );
    expect(first.drifts.map((d) => [d.kind, d.action])).toEqual([['position_unexplained', 'await_operator']]);
    expect(first.settles).toBe(false);
  });

  it('leaves a position that a deposit no trade explains made to the operator, and finds it again next run', () => {
    // 0.001 BTC deposited: the balance rises by what no trade explains, and the position with it.
    const v = reconcile(
      venue({ balances: { BTC: 0.003, USDT: 9_900 }, positions: { 'BTC-USDT': 0.003 } }),
      ledger({ positions: { 'BTC-USDT': 0.002 }, balances: { BTC: 0.002, USDT: 9_900 } }),
      noStops,
    );
    expect(v.drifts.map((d) => [d.kind, d.action])).toEqual([
      ['position_unexplained', 'await_operator'],
      ['balance', 'flag'],
    ]);
    expect(v.drifts[0]).toMatchObject({
      reason: 'balance_unexplained',
      evidence:
        'BTC-USDT: our fills add up to 0.002, the venue holds 0.003; the BTC balance moved by more than our trades explain (a deposit or withdrawal?): not set, for the operator',
    });
    expect(v.settles).toBe(false);
    // The BTC baseline stays where our trades put it: the next run sees the same unexplained change.
    expect(v.nextBaseline).toEqual({ BTC: 0.002, USDT: 9_900 });
    const next = reconcile(
      venue({ balances: { BTC: 0.003, USDT: 9_900 }, positions: { 'BTC-USDT': 0.003 } }),
      ledger({ positions: { 'BTC-USDT': 0.002 }, balances: v.nextBaseline }),
      noStops,
    );
    expect(next.drifts.map((d) => d.kind)).toEqual(['position_unexplained', 'balance']);
    // With no baseline to compare (a first run) nothing flags the balance: the position is set.
    const first = reconcile(
      venue({ balances: { BTC: 0.003 }, positions: { 'BTC-USDT': 0.003 } }),
      ledger({ positions: { 'BTC-USDT': 0.002 } }),
      noStops,
    );
    expect(first.drifts.map((d) => [d.kind, d.action])).toEqual([['position_qty', 'set_position']]);
  });

  it('counts a missed buy whose fee was taken in the base asset as the venue does: no position is set', () => {
    // Binance without BNB: a 0.1 BTC buy pays 0.0001 BTC, so the account holds 0.0999 BTC.
    const t = trade({ qty: 0.1, price: 30_000, fee: 0.0001, feeAsset: 'BTC' });
    const v = reconcile(
      venue({ trades: [t], positions: { 'BTC-USDT': 0.0999 } }),
      ledger({ orders: [ours({ status: 'filled' })] }),
      noStops,
    );
    expect(v.drifts.map((d) => [d.kind, d.key])).toEqual([['missing_fill', 'fill:BTC-USDT:7']]);
    expect(v.settles).toBe(true);
  });

  it('ignores a position difference within one lot step', () => {
    const v = reconcile(
      venue({ positions: { 'BTC-USDT': 0.002 } }),
      ledger({ positions: { 'BTC-USDT': 0.002005 } }),
      noStops,
    );
    expect(v.drifts).toEqual([]);
  });

  it('adjusts a position by whole lot steps, and takes one step or less for rounding', () => {
    const difference = 0.0031 - 0.003;
    expect([
      difference,
      positionAdjustment(difference, 0.00001),
      positionAdjustment(-difference, 0.00001),
    ]).toEqual([0.00009999999999999983, 0.0001, 0.0001]);
    expect([isPositionDrift(0.00001, 0.00001), isPositionDrift(0.000011, 0.00001)]).toEqual([false, true]);
  });

  it('reports an open position whose stop is not on the venue, and blocks until it is back', () => {
    const v = reconcile(
      venue({ positions: { 'BTC-USDT': 0.002 } }),
      ledger({
        positions: { 'BTC-USDT': 0.002 },
        stops: [STOP],
      }),
      policy,
    );
    expect(v.drifts[0]).toMatchObject({
      kind: 'missing_stop',
      positionId: 'binance:BTC-USDT',
      clientOrderId: 'bl-s1',
      coverage: 'not_resting',
      positionQty: 0.002,
    });
    expect(driftBeforeAfter(v.drifts[0] as Drift).before).toEqual({
      positionId: 'binance:BTC-USDT',
      clientOrderId: 'bl-s1',
      coverage: 'not_resting',
      positionQty: 0.002,
    });
    expect(v.settles).toBe(false);
    expect(reconcile(venue(), ledger({ stops: [] }), { ...policy, stopsOnVenue: false }).drifts).toEqual([]);
  });

  it('flags balances beyond the tolerance with the figures, and not dust', () => {
    const v = reconcile(
      venue({ balances: { USDT: 900, BTC: 0.0000001, BNB: 0.5 } }),
      ledger({ balances: { USDT: 1000, BTC: 0, BNB: 0.5 } }),
      policy,
    );
    expect(v.drifts).toEqual([
      {
        kind: 'balance',
        key: 'balance:USDT:900',
        symbol: null,
        asset: 'USDT',
        ours: 1000,
        venue: 900,
        action: 'flag',
        evidence: 'USDT: expected 1000, the venue holds 900 (difference -100, tolerance 0.000001)',
      },
    ]);
    expect(v.nextBaseline).toEqual({ USDT: 900, BTC: 0.0000001, BNB: 0.5 });
  });

  it('moves expected balances by the trades: base, quote and the fee in its own asset', () => {
    const out = balancesAfterTrades({ USDT: 1000 }, [
      trade({ qty: 0.01, price: 50_000, fee: 0.5, feeAsset: 'USDT' }),
      trade({ side: 'sell', qty: 0.004, price: 51_000, fee: 0.001, feeAsset: 'BNB' }),
    ]);
    expect(out).toEqual({ USDT: 1000 - 500 - 0.5 + 204, BTC: 0.006, BNB: -0.001 });
  });
});

describe('checkKeySafety', () => {
  const base = { venue: 'binance', live: true, override: null };
  it('refuses a live key that can withdraw, and one whose permission cannot be read', () => {
    expect(checkKeySafety({ ...base, withdrawals: true })).toMatchObject({
      ok: false,
      reason: 'withdrawals_enabled',
    });
    expect(checkKeySafety({ ...base, withdrawals: undefined })).toMatchObject({
      ok: false,
      reason: 'withdrawals_unverified',
    });
  });
  it('allows a key without withdrawals, a paper venue, and an explicit override', () => {
    expect(checkKeySafety({ ...base, withdrawals: false })).toMatchObject({ ok: true, overridden: false });
    expect(checkKeySafety({ ...base, live: false, withdrawals: true })).toMatchObject({
      ok: true,
      overridden: false,
    });
    expect(checkKeySafety({ ...base, withdrawals: true, override: 'sub-account, IP-whitelisted' })).toEqual({
      ok: true,
      overridden: true,
      detail: 'the binance API key allows withdrawals; allowed by override: sub-account, IP-whitelisted',
    });
  });
});
