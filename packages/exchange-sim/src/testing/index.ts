// Test support, imported as '@ballast/exchange-sim/testing' by integration tests only.
export { binanceClient } from './binance-client';
export { type SimAccount, startBinanceSim } from './binance-sim';
export {
  firstRise,
  REPLAY_FROM,
  type ReplayedCandle,
  recordedBars,
  replayedCandles,
  startCandleSim,
} from './candle-sim';
export {
  type SimDbFixture,
  startVenueFixture,
  type VenueFixture,
  type VenueFixtureOptions,
} from './venue-fixture';
