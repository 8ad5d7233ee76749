import type { Clock } from '@ballast/contracts';
import { describe, expect, it } from 'vitest';
import { SystemClock } from './system-clock';
import { uuidv7Ids } from './uuidv7-ids';

const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('uuidv7Ids', () => {
  it('stamps ids with the injected clock time and random tails', () => {
    const clock: Clock = { now: () => 0x0192_3456_789a };
    const next = uuidv7Ids(clock);
    const a = next();
    const b = next();
    expect(a).toMatch(UUID_V7);
    expect(a.slice(0, 13)).toBe('01923456-789a');
    expect(b.slice(0, 13)).toBe('01923456-789a');
    expect(a).not.toBe(b);
  });

  it('orders ids by time when the system clock advances', () => {
    const clock = new SystemClock();
    const first = uuidv7Ids({ now: () => clock.now() - 1 })();
    const second = uuidv7Ids(clock)();
    expect(first < second).toBe(true);
  });
});
