import { describe, expect, it } from 'vitest';
import { foldPositionSlots, openLongsCost, type RecordedFill } from './position-slots';
import { alignedCloses, binanceSpotRules } from './real-market.fixture';

// Fill prices and times: consecutive real 4h closes (binance-spot-ohlcv/{BTC,ETH}USDT-4h.csv).
const { times, closes } = alignedCloses(['BTCUSDT', 'ETHUSDT']);
const at = (i: number) => ({ time: times[i]!, btc: closes.BTCUSDT![i]!, eth: closes.ETHUSDT![i]! });

/** A BTC fill; buys are strategy trend's entries, sells exits (no strategy) unless `strategy` says. */
const btc = (
  i: number,
  side: 'buy' | 'sell',
  qty: number,
  strategy: string | null = side === 'buy' ? 'trend' : null,
): RecordedFill => ({
  exchange: 'binance',
  symbol: 'BTC-USDT',
  side,
  qty,
  price: at(i).btc,
  fee: 0.001 * qty * at(i).btc,
  feeIn: 'quote',
  time: at(i).time,
  strategy,
});

describe('position slots folded from recorded fills', () => {
  it('holds a long bought in two fills and partly sold, entered at its first fill', () => {
    const [slot] = foldPositionSlots([btc(0, 'buy', 0.02), btc(1, 'buy', 0.01), btc(2, 'sell', 0.01)]);
    expect(slot).toEqual({
      positionId: 'binance:BTC-USDT',
      exchange: 'binance',
      symbol: 'BTC-USDT',
      side: 'long',
      qty: expect.closeTo(0.02, 12),
      entry: expect.closeTo((0.02 * at(0).btc + 0.01 * at(1).btc) / 0.03, 9),
      enteredAt: at(0).time,
      strategy: 'trend',
      realizedPnl: expect.closeTo(0.01 * (at(2).btc - (0.02 * at(0).btc + 0.01 * at(1).btc) / 0.03), 9),
      fees: expect.closeTo(0.001 * (0.02 * at(0).btc + 0.01 * at(1).btc + 0.01 * at(2).btc), 9),
    });
  });

  it('dates a position opened again by its new first fill, and keeps a flat slot with its last entry', () => {
    const reopened = foldPositionSlots([btc(0, 'buy', 0.02), btc(1, 'sell', 0.02), btc(2, 'buy', 0.01)]);
    expect(reopened).toEqual([
      expect.objectContaining({ side: 'long', qty: 0.01, entry: at(2).btc, enteredAt: at(2).time }),
    ]);
    const flat = foldPositionSlots([btc(0, 'buy', 0.02), btc(1, 'sell', 0.02)]);
    expect(flat).toEqual([expect.objectContaining({ qty: 0, enteredAt: at(0).time })]);
  });

  it('dates a flipped position by the fill that flipped it', () => {
    const [slot] = foldPositionSlots([btc(0, 'buy', 0.01), btc(1, 'sell', 0.03)]);
    expect(slot).toMatchObject({ side: 'short', entry: at(1).btc, enteredAt: at(1).time });
    expect(slot?.qty).toBeCloseTo(0.02, 12);
  });

  it('keeps one slot per exchange and symbol, as the orders service names its positions', () => {
    const eth: RecordedFill = { ...btc(1, 'buy', 0.5), symbol: 'ETH-USDT', price: at(1).eth };
    const bybit: RecordedFill = { ...btc(2, 'buy', 0.01), exchange: 'bybit' };
    const slots = foldPositionSlots([btc(0, 'buy', 0.01), eth, bybit]);
    expect(slots.map((s) => [s.positionId, s.qty, s.enteredAt])).toEqual([
      ['binance:BTC-USDT', 0.01, at(0).time],
      ['binance:ETH-USDT', 0.5, at(1).time],
      ['bybit:BTC-USDT', 0.01, at(2).time],
    ]);
    // What the open longs on one venue cost: quote money held as coins.
    expect(openLongsCost(slots, 'binance')).toBeCloseTo(0.01 * at(0).btc + 0.5 * at(1).eth, 9);
  });

  it("is the strategy's whose fill opened the position: another's add and the exits leave it so", () => {
    const added = foldPositionSlots([
      btc(0, 'buy', 0.02),
      btc(1, 'buy', 0.01, 'breakout'),
      btc(2, 'sell', 0.01),
    ]);
    expect(added).toEqual([expect.objectContaining({ qty: expect.closeTo(0.02, 12), strategy: 'trend' })]);
  });

  it('passes to the strategy that opens the market again, or to none when a recorded venue fill does', () => {
    const closed = [btc(0, 'buy', 0.02), btc(1, 'sell', 0.02)];
    expect(foldPositionSlots([...closed, btc(2, 'buy', 0.01, 'breakout')])).toEqual([
      expect.objectContaining({ qty: 0.01, strategy: 'breakout' }),
    ]);
    expect(foldPositionSlots([...closed, btc(2, 'buy', 0.01, null)])).toEqual([
      expect.objectContaining({ qty: 0.01, strategy: null }),
    ]);
    const [flipped] = foldPositionSlots([btc(0, 'buy', 0.01), btc(1, 'sell', 0.03, 'mean_revert')]);
    expect(flipped).toMatchObject({ side: 'short', strategy: 'mean_revert' });
  });

  it('closes a position on the dust its last exit fill leaves, as the orders service does; the next fill opens its own', () => {
    // Binance spot BTCUSDT (step 0.00001, min notional 10): 0.001 bought with the fee in BTC holds
    // 0.000999; the stop sells 0.00099 on the step and 0.000009 is left, which the venue will not trade.
    const endRules = binanceSpotRules(['BTCUSDT']).BTCUSDT!;
    const bought = { ...btc(0, 'buy', 0.001), fee: 0.000001, feeIn: 'base' as const };
    const sold = { ...btc(1, 'sell', 0.00099), endRules };
    expect(foldPositionSlots([bought, sold])).toEqual([
      expect.objectContaining({ qty: 0, strategy: 'trend' }),
    ]);
    // The same fill with more of its order to come leaves the remainder held: the rest of the order sells it.
    const partial = foldPositionSlots([bought, btc(1, 'sell', 0.00099)]);
    expect(partial).toEqual([expect.objectContaining({ qty: expect.closeTo(0.000009, 12) })]);
    const [next] = foldPositionSlots([bought, sold, btc(2, 'buy', 0.001, 'breakout')]);
    expect(next).toMatchObject({ strategy: 'breakout', entry: at(2).btc, enteredAt: at(2).time });
    expect(next?.qty).toBeCloseTo(0.001009, 12);
  });
});
