import type { Clock } from '@ballast/contracts';
import { BotStateRepository, type Database } from '@ballast/db';
import type { Kysely } from 'kysely';
import { EquityBaselineStore } from '../equity-baseline-store';
import { recordBtcFill } from './recorded-orders';

/**
 * A BTC-USDT long of `qty` bought at `price` a minute ago, and what risk stored before a restart with it
 * marked up: `peak` as the equity, the peak and today's start, no halt latched.
 */
export async function heldWithStoredGain(
  db: Kysely<Database>,
  clock: Clock,
  long: { clientOrderId: string; qty: number; price: number; peak: number },
): Promise<void> {
  const { clientOrderId, qty, price, peak } = long;
  await recordBtcFill(
    db,
    { clientOrderId, strategy: 'trend', side: 'buy', qty, time: clock.now() - 60_000 },
    price,
  );
  const today = Math.floor(clock.now() / 86_400_000) * 86_400_000;
  await new EquityBaselineStore(new BotStateRepository(db, clock), 'binance').save({
    equity: peak,
    peakEquity: peak,
    day: today,
    dayStartEquity: peak,
    dailyLossHalt: null,
    drawdownHalt: null,
  });
}
