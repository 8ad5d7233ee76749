import type { ControlAck } from '@ballast/contracts';
import { describe, expect, it } from 'vitest';
import { ControlAnswers } from './control-answers';

const T = 1_700_000_000_000;
const answers = () => new ControlAnswers({ expected: ['risk', 'orders'], timeoutMs: 15_000 });
const ack = (a: Partial<ControlAck> & Pick<ControlAck, 'service'>): ControlAck => ({
  exchange: 'binance',
  command: 'kill',
  commandId: 'k1',
  engaged: true,
  detail: 'done',
  ...a,
});

describe('ControlAnswers', () => {
  it('confirms a kill once every expected service has answered it as done', () => {
    const a = answers();
    expect(a.onCommand('kill', 'k1', 'telegram:1:2', T)).toBeNull();
    expect(
      a.onAck(ack({ service: 'risk', detail: 'rejecting every new entry (kill_switch)' }), T + 10),
    ).toBeNull();
    expect(
      a.onAck(ack({ service: 'orders', flat: true, detail: 'flatten: BTC-USDT flat (sold 0.01)' }), T + 20),
    ).toEqual({
      kind: 'kill switch',
      severity: 'critical',
      text: 'Kill by telegram:1:2 confirmed: risk@binance ✓ rejecting every new entry (kill_switch); orders@binance ✓ flatten: BTC-USDT flat (sold 0.01)',
      at: T + 20,
    });
    expect(a.due(T + 15_000)).toEqual([]);
  });

  it('tells a flatten that left a position open as NOT flat, with its detail', () => {
    const a = answers();
    a.onCommand('kill', 'k1', 'cli:alice', T);
    a.onAck(ack({ service: 'risk' }), T);
    expect(
      a.onAck(ack({ service: 'orders', flat: false, detail: 'flatten: BTC-USDT NOT flat: sell rejected' }), T)
        ?.text,
    ).toBe(
      'Kill by cli:alice NOT confirmed: risk@binance ✓ done; orders@binance ✗ NOT flat: flatten: BTC-USDT NOT flat: sell rejected',
    );
  });

  it('tells a resume the services did not apply', () => {
    const a = answers();
    a.onCommand('resume', 'r1', 'cli:bob', T);
    const refused = {
      command: 'resume' as const,
      commandId: 'r1',
      engaged: true,
      detail: 'not applied: command k2, given after it, is in force',
    };
    a.onAck(ack({ service: 'risk', ...refused }), T);
    expect(a.onAck(ack({ service: 'orders', ...refused }), T)).toMatchObject({
      severity: 'critical',
      text:
        'Resume by cli:bob NOT confirmed: risk@binance ✗ not applied: command k2, given after it, is in force; ' +
        'orders@binance ✗ not applied: command k2, given after it, is in force',
    });
  });

  it('names who has not answered at the deadline, once', () => {
    const a = answers();
    a.onCommand('kill', 'k1', 'cli:alice', T);
    a.onAck(ack({ service: 'risk' }), T + 100);
    expect(a.due(T + 14_999)).toEqual([]);
    expect(a.due(T + 15_000)).toEqual([
      {
        kind: 'kill switch',
        severity: 'critical',
        text: 'Kill by cli:alice NOT confirmed: risk@binance ✓ done; no answer from orders within 15 s',
        at: T + 15_000,
      },
    ]);
    expect(a.due(T + 30_000)).toEqual([]);
  });

  it('counts answers that came before their command, and tells another venue’s later NOT flat on its own', () => {
    const a = answers();
    a.onAck(ack({ service: 'risk' }), T);
    a.onCommand('kill', 'k1', 'cli:alice', T + 5);
    expect(a.onAck(ack({ service: 'orders', flat: true }), T + 10)?.text).toBe(
      'Kill by cli:alice confirmed: risk@binance ✓ done; orders@binance ✓ done',
    );
    expect(a.onAck(ack({ service: 'risk', exchange: 'bybit' }), T + 20)).toBeNull();
    expect(
      a.onAck(ack({ service: 'orders', exchange: 'bybit', flat: false, detail: 'ETH-USDT NOT flat' }), T + 30)
        ?.text,
    ).toBe('Kill by cli:alice NOT confirmed: orders@bybit ✗ NOT flat: ETH-USDT NOT flat');
  });
});
