import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { stopLimitOffsetVariables } from './stop-limit-offset-variable';

const schema = z.object(stopLimitOffsetVariables);

describe('STOP_LIMIT_OFFSET_BPS', () => {
  it('is 50 bps unset and the number given when set', () => {
    expect(schema.parse({})).toEqual({ STOP_LIMIT_OFFSET_BPS: 50 });
    expect(schema.parse({ STOP_LIMIT_OFFSET_BPS: '150' })).toEqual({ STOP_LIMIT_OFFSET_BPS: 150 });
  });

  it('refuses an offset below 0 or above 1000 bps', () => {
    expect(schema.safeParse({ STOP_LIMIT_OFFSET_BPS: '-1' }).success).toBe(false);
    expect(schema.safeParse({ STOP_LIMIT_OFFSET_BPS: '1001' }).success).toBe(false);
  });
});
