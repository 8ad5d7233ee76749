import { closeIntentId, takeProfitPurpose } from '@ballast/core';
import { describe, expect, it } from 'vitest';
import { exitReason } from './trade-ledger';

describe('exitReason', () => {
  it('names the closer of a trade from the intent ids the stops service and the runtime send', () => {
    const position = 'binance:BTC-USDT';
    expect(exitReason(closeIntentId(position, takeProfitPurpose(3, 9)))).toBe('take_profit');
    expect(exitReason(closeIntentId(position, 'trigger:bls0123456789abcdef'))).toBe('stop');
    expect(exitReason(closeIntentId(position, `trigger:${takeProfitPurpose(3, 9)}`))).toBe('stop');
    expect(exitReason(closeIntentId(position, 'local:4'))).toBe('stop');
    expect(exitReason('backtest:end:BTC-USDT')).toBe('end_of_data');
    expect(exitReason(null)).toBe('other');
  });
});
