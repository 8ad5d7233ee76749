const band = { up: 5, down: 0.2 };

/**
 * BTCUSDT's spot filters in the recorded binance-rest/2021-10-12_spot_api-v3-exchangeInfo.json.gz, as
 * market rules: PRICE_FILTER, LOT_SIZE, MIN_NOTIONAL, MARKET_LOT_SIZE and PERCENT_PRICE. What a reader of
 * that recording (the backtest's exchange-info rules, ccxt against the simulator serving it) must find.
 */
export const RECORDED_BTCUSDT_RULES = {
  tickSize: 0.01,
  stepSize: 0.00001,
  minQty: 0.00001,
  minNotional: 10,
  maxQty: 9000,
  marketMaxQty: 100.05381873,
  minPrice: 0.01,
  maxPrice: 1_000_000,
  percentPrice: { buy: band, sell: band },
};
