export { type ExchangeSim, startExchangeSim } from './exchange-sim';
export type { FrameFault } from './frame-faults';
export type { HttpFaultSpec } from './http-faults';
export { binanceDataText, type RecordedFrame } from './recorded-frame';
export type { FeedState, ReplaySpeed } from './replay-feed';
export type { FeedName, SimControls, SimState, Venue } from './sim-controls';
export type { BinanceOptions, BybitOptions, CandleSeriesOption, ExchangeSimOptions } from './sim-options';
export { type ExternalOrder, VenueTamper } from './venue-tamper';
