import { describe, expect, it } from 'vitest';
import { PendingConfirmations } from './confirmations';

describe('PendingConfirmations', () => {
  const setup = () => {
    let now = 1_700_000_000_000;
    let n = 0;
    const book = new PendingConfirmations(60_000, { now: () => now }, () => `t${++n}`);
    return { book, advance: (ms: number) => (now += ms) };
  };
  const kill = { kind: 'kill' as const, flatten: true, reason: 'outage' };

  it('is taken once, by the chat that asked, before it expires', () => {
    const { book } = setup();
    const p = book.ask(111, 111, kill, 'telegram:111');
    expect(book.take(p.token, 222, 111)).toEqual({ ok: false, reason: 'other_chat' });
    expect(book.take(p.token, 111, 111)).toEqual({ ok: true, pending: p });
    expect(book.take(p.token, 111, 111)).toEqual({ ok: false, reason: 'unknown' });
  });

  it('in a group, is taken only by the user who asked; another user leaves it pending', () => {
    const { book } = setup();
    const p = book.ask(-100, 7, kill, 'telegram:-100:alice');
    expect(book.take(p.token, -100, 8)).toEqual({ ok: false, reason: 'other_user' });
    expect(book.take(p.token, -100, undefined)).toEqual({ ok: false, reason: 'other_user' });
    expect(book.take(p.token, -100, 7)).toEqual({ ok: true, pending: p });
  });

  it('asked without a user, is taken by nobody', () => {
    const { book } = setup();
    const p = book.ask(-100, null, kill, 'telegram:-100');
    expect(book.take(p.token, -100, undefined)).toEqual({ ok: false, reason: 'other_user' });
    expect(book.take(p.token, -100, 7)).toEqual({ ok: false, reason: 'other_user' });
  });

  it('expires at its deadline and is dropped', () => {
    const { book, advance } = setup();
    const p = book.ask(111, 111, kill, 'telegram:111');
    advance(60_000);
    expect(book.take(p.token, 111, 111)).toEqual({ ok: false, reason: 'expired' });
    expect(book.size).toBe(0);
  });
});
