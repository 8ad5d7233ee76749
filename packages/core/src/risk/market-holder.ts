import {
  inMarket,
  type Market,
  marketKey,
  type OpenPosition,
  type PendingEntry,
  type RiskState,
} from './risk-state';
import { ALLOW, deny, type Verdict } from './verdict';

// A netting venue holds one position per market: an entry where another strategy holds, or has an entry
// approved and not filled yet, would add to that strategy's position. The stop manager would keep the
// holder's stop for the larger quantity (the newcomer was sized to its own stop distance, so it could
// lose more than its risk per trade), and the closed trade, its pnl and statistics would all be the
// holder's.

/** Whoever holds a market or awaits a fill there, on either side: strategies, null for none. */
export function marketHolders(
  state: Pick<RiskState, 'positions' | 'pending'>,
  market: Market,
): Array<string | null> {
  const here = inMarket(market);
  const holders = [...state.positions.filter(here), ...state.pending.filter(here)].map((p) => p.strategy);
  return [...new Set(holders)];
}

const whose = (strategy: string | null): string =>
  strategy === null ? 'a position no strategy opened (a recorded venue fill)' : `strategy ${strategy}`;

const holding = (p: OpenPosition): string => `${whose(p.strategy)} holds ${p.qty} ${p.side}`;

const awaiting = (p: PendingEntry): string =>
  `${whose(p.strategy)} has ${p.qty} ${p.side} approved, not filled yet`;

/**
 * An entry goes only where the market is flat or already its own strategy's: limit 0 other holders,
 * value how many other holders (strategies, or none) hold it or await a fill there. The holder's own
 * adds are decided as before.
 */
export function checkMarketHeld(
  state: Pick<RiskState, 'positions' | 'pending'>,
  entry: Market & { strategy: string },
): Verdict {
  const others = marketHolders(state, entry).filter((h) => h !== entry.strategy);
  if (others.length === 0) return ALLOW;
  const theirs = (p: { strategy: string | null }) => p.strategy !== entry.strategy;
  const here = inMarket(entry);
  const what = [
    ...state.positions.filter((p) => here(p) && theirs(p)).map(holding),
    ...state.pending.filter((p) => here(p) && theirs(p)).map(awaiting),
  ];
  return deny(
    'market_held',
    0,
    others.length,
    `${marketKey(entry.exchange, entry.symbol)} is held: ${what.join('; ')}; ` +
      `an entry of strategy ${entry.strategy} would add to its position`,
  );
}
