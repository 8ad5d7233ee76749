import type { ControlAck } from '@ballast/contracts';
import { describe, expect, it } from 'vitest';
import { ackSender, unansweredEntries } from './control-answers';

const ack = (service: string, exchange?: string): ControlAck => ({
  service,
  ...(exchange ? { exchange } : {}),
  command: 'kill',
  commandId: 'k1',
  engaged: true,
  detail: '',
});

describe('unansweredEntries', () => {
  it('answers a bare entry by any venue until another venue answers for another service', () => {
    const binance = [ack('risk', 'binance'), ack('orders', 'binance')];
    expect(unansweredEntries(['risk', 'orders'], binance)).toEqual([]);
    expect(unansweredEntries(['risk', 'orders'], [...binance, ack('risk', 'bybit')])).toEqual([
      'orders@bybit',
    ]);
  });

  it('waits for a service@venue entry at that venue only', () => {
    expect(unansweredEntries(['orders@bybit'], [ack('orders', 'binance')])).toEqual(['orders@bybit']);
    expect(unansweredEntries(['orders@bybit', 'stops'], [ack('orders', 'bybit')])).toEqual(['stops']);
  });

  it('names a sender by service@exchange, or the service when the exchange is left out', () => {
    expect([ackSender(ack('orders', 'bybit')), ackSender(ack('risk'))]).toEqual(['orders@bybit', 'risk']);
  });
});
