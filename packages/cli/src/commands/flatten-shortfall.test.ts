import type { ControlAck } from '@ballast/contracts';
import { describe, expect, it } from 'vitest';
import { flattenShortfall } from './flatten-shortfall';

// Details as KillSwitch.onKill writes them (services/orders: orders.flatten.test.ts and the CLI test).
const ack = (detail: string, extra: Partial<ControlAck> = {}): ControlAck => ({
  service: 'orders',
  command: 'kill',
  commandId: 'c1',
  engaged: true,
  detail,
  ...extra,
});
const prefix = 'aborted 0 planned slices, cancelled 2 open orders; ';

describe('flattenShortfall', () => {
  it('names each position a flatten left not flat or unverified, and none that it closed', () => {
    expect(
      flattenShortfall(
        ack(
          `${prefix}flatten: BTC-USDT NOT flat: the venue still holds 0.005 (0.005 tradable) BTC, ETH-USDT flat (venue ETH 0), SOL-USDT unverified: the venue's balances could not be read, XRP-USDT NOT flat: still short 12`,
        ),
      ),
    ).toBe(
      "BTC-USDT NOT flat: the venue still holds 0.005 (0.005 tradable) BTC; SOL-USDT unverified: the venue's balances could not be read; XRP-USDT NOT flat: still short 12",
    );
  });

  it('is null when every position is flat, there were none, or no flatten was asked', () => {
    expect(
      flattenShortfall(ack(`${prefix}flatten: BTC-USDT flat (venue BTC 0), ETH-USDT flat (local fills)`)),
    ).toBeNull();
    expect(flattenShortfall(ack(`${prefix}flatten: no positions`))).toBeNull();
    expect(flattenShortfall(ack(`${prefix}not asked to flatten`))).toBeNull();
    expect(flattenShortfall(ack('rejecting every new entry (kill_switch)', { service: 'risk' }))).toBeNull();
    expect(flattenShortfall(ack('accepting orders again', { command: 'resume', engaged: false }))).toBeNull();
  });

  it('trusts the flat field over the text once a producer sets it', () => {
    expect(flattenShortfall(ack(`${prefix}flatten: BTC-USDT flat (venue BTC 0)`, { flat: false }))).toBe(
      `${prefix}flatten: BTC-USDT flat (venue BTC 0)`,
    );
    expect(
      flattenShortfall(ack(`${prefix}flatten: BTC-USDT NOT flat: still short 1`, { flat: true })),
    ).toBeNull();
    expect(flattenShortfall(ack(`${prefix}flatten: BTC-USDT NOT flat: still short 1`, { flat: null }))).toBe(
      'BTC-USDT NOT flat: still short 1',
    );
  });
});
