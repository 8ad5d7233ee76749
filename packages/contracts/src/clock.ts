/**
 * Time as a dependency: the system clock in live and paper trading, a virtual clock in backtests.
 * Domain code never reads Date.now(); it is handed one of these.
 */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

/** Produces message and entity ids; a seeded one makes backtests repeat bit for bit. */
export type IdGenerator = () => string;
