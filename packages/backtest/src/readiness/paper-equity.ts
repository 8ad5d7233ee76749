import type { Clock } from '@ballast/contracts';
import { EquityBaseline, equityAtStart, equityBaselineKey, type StoredAccountEquity } from '@ballast/core';
import {
  BotStateRepository,
  type ClosedTradeRecord,
  ClosedTradeRepository,
  type Database,
} from '@ballast/db';
import type { Kysely } from 'kysely';

/** The equity a strategy's returns and drawdown are measured on, and where it came from. */
export interface PaperEquity {
  value: number;
  /** For the printed figures: `given`, or the accounts it was read from. */
  source: string;
}

/**
 * The paper period's starting equity: the one given, else the account's own, from the equity risk
 * stores for each venue the strategy traded on in the period (equityAtStart), or with no trade there
 * yet the venue of its last one. Null when any of them has none: judging drawdown against a made-up
 * equity would pass a strategy that lost a fifth of a small account.
 */
export async function paperEquity(
  db: Kysely<Database>,
  clock: Clock,
  given: number | undefined,
  trades: readonly ClosedTradeRecord[],
  start: number,
): Promise<PaperEquity | null> {
  if (given !== undefined) return { value: given, source: 'given' };
  const venues = periodVenues(trades, start);
  const accounts = await storedAccounts(db, clock, venues);
  if (!accounts) return null;
  const all = await new ClosedTradeRepository(db).all();
  return { value: equityAtStart(accounts, all, start), source: `risk's ${venues.join(', ')} account` };
}

/** The accounts a period's returns are made on: those traded on since `start`, else the last one traded on. */
function periodVenues(trades: readonly ClosedTradeRecord[], start: number): string[] {
  const inPeriod = trades.filter((t) => t.closeTime >= start);
  const last = trades.reduce<ClosedTradeRecord | undefined>(
    (latest, t) => (latest && latest.closeTime >= t.closeTime ? latest : t),
    undefined,
  );
  const from = inPeriod.length > 0 ? inPeriod : last ? [last] : [];
  return [...new Set(from.map((t) => t.exchange))].sort();
}

/** The equity risk last stored for each venue's account; null when there are none or any is missing. */
export async function storedAccounts(
  db: Kysely<Database>,
  clock: Clock,
  venues: readonly string[],
): Promise<StoredAccountEquity[] | null> {
  if (venues.length === 0) return null;
  const state = new BotStateRepository(db, clock);
  const accounts: StoredAccountEquity[] = [];
  for (const venue of venues) {
    const stored = await state.get(equityBaselineKey(venue), EquityBaseline);
    if (!stored) return null;
    accounts.push({ venue, equity: stored.value.equity, at: stored.updatedAt });
  }
  return accounts;
}

/** Each account's equity as risk last stored it, for a strategy going live on the venues it traded since `start`. */
export async function equityAtLive(
  db: Kysely<Database>,
  clock: Clock,
  trades: readonly ClosedTradeRecord[],
  start: number,
): Promise<Record<string, number> | null> {
  const accounts = await storedAccounts(db, clock, periodVenues(trades, start));
  return accounts && Object.fromEntries(accounts.map((a) => [a.venue, a.equity]));
}
