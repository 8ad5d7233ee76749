import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { jsonVariable } from './json-variable';

describe('jsonVariable', () => {
  const balances = jsonVariable(z.record(z.string(), z.number().nonnegative()));

  it('parses the text and hands the value to the schema', () => {
    expect(balances.parse('{"USDT": 1000, "BTC": 0.5}')).toEqual({ USDT: 1000, BTC: 0.5 });
  });

  it('reports text that is not JSON as an issue, not a thrown SyntaxError', () => {
    const result = balances.safeParse('{USDT: 1000');
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => [i.path, i.message])).toEqual([[[], 'not valid JSON']]);
  });

  it('reports what the schema refuses at its path inside the value', () => {
    const result = balances.safeParse('{"USDT": -1}');
    expect(result.error?.issues.map((i) => [i.path, i.code])).toEqual([[['USDT'], 'too_small']]);
  });
});
