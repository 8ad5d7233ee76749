import { describe, expect, it } from 'vitest';
import { MemoryRetainedLog } from './memory-retained-log';

describe('MemoryRetainedLog', () => {
  it('keeps the newest `limit` items, oldest first, across its compactions', () => {
    const log = new MemoryRetainedLog<number>(1_000);
    for (let i = 0; i < 5_500; i++) log.push(i);
    const kept = [...log];
    expect(kept).toHaveLength(1_000);
    expect(kept[0]).toBe(4_500);
    expect(kept.at(-1)).toBe(5_499);
    expect(kept.every((v, i) => v === 4_500 + i)).toBe(true);
  });

  it('keeps everything below the limit', () => {
    const log = new MemoryRetainedLog<string>(3);
    log.push('a');
    log.push('b');
    expect([...log]).toEqual(['a', 'b']);
    log.push('c');
    log.push('d');
    expect([...log]).toEqual(['b', 'c', 'd']);
  });
});
