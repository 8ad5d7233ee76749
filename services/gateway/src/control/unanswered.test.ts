import { KILL_RELEASED } from '@ballast/core';
import { describe, expect, it } from 'vitest';
import type { ControlView } from '../live/live-state';
import { withUnanswered } from './unanswered';

const killId = '0190f3a0-0000-7000-8000-00000000a11c';
const kill: ControlView = {
  ...KILL_RELEASED,
  engaged: true,
  reason: 'incident',
  requestedBy: 'cli:alice',
  since: 1,
  commandId: killId,
  commandAt: 1,
  acks: [
    { service: 'risk', exchange: 'binance', command: 'kill', commandId: killId, engaged: true, detail: 'ok' },
    { service: 'risk', exchange: 'bybit', command: 'kill', commandId: killId, engaged: true, detail: 'ok' },
    {
      service: 'orders',
      exchange: 'binance',
      command: 'kill',
      commandId: killId,
      engaged: true,
      detail: 'ok',
    },
  ],
  acksSeen: true,
  ignored: null,
};

describe('withUnanswered', () => {
  it("names a venue's orders service that has not answered the kill the other venue's has", () => {
    expect(withUnanswered(kill, ['risk', 'orders']).unanswered).toEqual(['orders@bybit']);
  });

  it('names a service nobody has answered for', () => {
    expect(withUnanswered({ ...kill, acks: [] }, ['risk', 'orders']).unanswered).toEqual(['risk', 'orders']);
  });

  it('says not known for the command in force before the gateway read answers, not that all are missing', () => {
    expect(withUnanswered({ ...kill, acks: [], acksSeen: false }, ['risk', 'orders']).unanswered).toBeNull();
  });

  it('names nobody while no command was ever given', () => {
    expect(
      withUnanswered({ ...KILL_RELEASED, acks: [], acksSeen: false, ignored: null }, ['risk']).unanswered,
    ).toEqual([]);
  });

  it('names who has not answered a command the switch did not take', () => {
    const ignored = { command: 'resume' as const, commandId: 'r', requestedBy: 'cli:bob', acks: [] };
    expect(withUnanswered({ ...kill, ignored }, ['risk']).ignored?.unanswered).toEqual(['risk']);
  });
});
