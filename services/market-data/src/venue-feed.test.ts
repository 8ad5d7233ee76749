import { readDataFile } from '@ballast/testkit';
import { expect, it } from 'vitest';
import { venueFeed } from './venue-feed';

// The first BTCUSDT aggTrade of binance-spot-ws/2021-04-04_BTCUSDT-ETHUSDT-DOTUSDT_depth-kline1m-aggTrade.frames.jsonl.gz,
// edited to name BTCTRY: a market quoted in an asset the symbol normaliser does not know.
const frame = readDataFile(
  'binance-spot-ws/2021-04-04_BTCUSDT-ETHUSDT-DOTUSDT_depth-kline1m-aggTrade.frames.jsonl.gz',
)
  .split('\n')
  .find((line) => line.includes('"btcusdt@aggTrade"')) as string;

it('reads the frames of every configured symbol, a BTC/TRY one included', () => {
  const feed = venueFeed({ VENUE: 'binance', SYMBOLS: ['BTC-TRY'] });
  const [result] = feed.parseFrame(frame.replace('btcusdt@', 'btctry@').replace('"BTCUSDT"', '"BTCTRY"'));
  expect(result).toMatchObject({ kind: 'trade', payload: { symbol: 'BTC-TRY', tradeId: '665076760' } });
});
