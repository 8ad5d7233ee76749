import { describe, expect, it } from 'vitest';
import { type DecidedPosition, decisionRoute } from './decision-route';

// Only what the route reads of an approved intent.
const intent = {
  intentId: 'i-2',
  strategy: 'trend',
  exchange: 'binance',
  symbol: 'BTC-USDT',
  positionSide: 'long',
} as const;

const held: DecidedPosition = {
  exchange: 'binance',
  symbol: 'BTC-USDT',
  strategy: 'trend',
  side: 'long',
  intentId: 'i-1',
  awaitingAdds: [],
  awaiting: null,
  closing: null,
  takeProfit: null,
};

describe('decisionRoute', () => {
  it('keeps a decision pending when its market holds no position', () => {
    expect(decisionRoute(undefined, intent, 'chain-2')).toBe('pending');
  });

  it("adopts an awaited add: the holder's own strategy, on its side, named by a growth read first", () => {
    expect(decisionRoute({ ...held, awaitingAdds: ['i-2'] }, intent, 'chain-2')).toBe('add');
  });

  it('does not adopt an awaited add while a take-profit sells or a close is out', () => {
    const awaited = { ...held, awaitingAdds: ['i-2'] };
    expect(decisionRoute({ ...awaited, takeProfit: { keep: 0 } }, intent, 'chain-2')).toBe('pending');
    expect(decisionRoute({ ...awaited, closing: { sentAt: 0 } }, intent, 'chain-2')).toBe('pending');
  });

  it("adopts the opening's own intent, read after its fill, as the opening, not as an add", () => {
    const awaiting = { ...held, intentId: null, awaiting: { strategy: 'trend', correlationId: 'chain-2' } };
    expect(decisionRoute({ ...awaiting, awaitingAdds: ['i-2'] }, intent, 'chain-2')).toBe('opening');
    expect(decisionRoute(awaiting, intent, 'chain-3')).toBe('pending');
    expect(decisionRoute({ ...awaiting, closing: { sentAt: 0 } }, intent, 'chain-2')).toBe('pending');
  });

  it("keeps another strategy's decision pending", () => {
    expect(
      decisionRoute({ ...held, awaitingAdds: ['i-2'] }, { ...intent, strategy: 'revert' }, 'chain-2'),
    ).toBe('pending');
  });
});
