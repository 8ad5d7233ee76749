import { describe, expect, it } from 'vitest';
import { pastLimit } from './past-limit';

describe('pastLimit', () => {
  it("is true for a long's sell limit once the price is below it, not at it", () => {
    expect(pastLimit('long', 99, 98.9)).toBe(true);
    expect(pastLimit('long', 99, 99)).toBe(false);
  });

  it("is true for a short's buy limit once the price is above it, not at it", () => {
    expect(pastLimit('short', 101, 101.1)).toBe(true);
    expect(pastLimit('short', 101, 101)).toBe(false);
  });
});
