/**
 * Publish de-duplication by envelope id holds for this long: JetStream's `duplicate_window` on every
 * stream, and MemoryHub's window on the publishing bus's clock (the virtual clock in a backtest).
 */
export const DUPLICATE_WINDOW_MS = 120_000;
