import { describe, expect, it } from 'vitest';
import { adoptedOpeningStop, opened } from './opening';

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

describe('adoptedOpeningStop', () => {
  it("replaces the fallback stop with the intent's, looser or tighter", () => {
    expect(adoptedOpeningStop('long', 98, 98, 95)).toBe(95);
    expect(adoptedOpeningStop('short', 102, 102, 105)).toBe(105);
  });

  it('never loosens a stop that moved from the fallback (trailed): only a tighter intent stop is taken', () => {
    expect(adoptedOpeningStop('long', 104.5, 98, 95)).toBe(104.5);
    expect(adoptedOpeningStop('long', 104.5, 98, 106)).toBe(106);
    expect(adoptedOpeningStop('short', 96, 102, 105)).toBe(96);
  });
});
