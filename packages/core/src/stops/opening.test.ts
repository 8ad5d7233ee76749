import { describe, expect, it } from 'vitest';
import { opened } from './opening';

const intent = { strategy: 'trend', positionSide: 'long' as const };
const opening = { strategy: 'trend', side: 'long' as const, correlationId: 'chain-1' };

describe('opened', () => {
  it("names the intent decided in the opening's chain by its strategy on its side", () => {
    expect(opened(intent, 'chain-1', opening)).toBe(true);
  });

  it('names no intent of another chain, strategy or side, nor any for a position no strategy opened', () => {
    expect([
      opened(intent, 'chain-2', opening),
      opened({ ...intent, strategy: 'revert' }, 'chain-1', opening),
      opened({ ...intent, positionSide: 'short' }, 'chain-1', opening),
      opened(intent, 'chain-1', { ...opening, strategy: null }),
    ]).toEqual([false, false, false, false]);
  });
});
