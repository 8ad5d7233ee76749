import { Subjects, subject } from '@ballast/contracts';
import { VirtualClock } from '@ballast/core';
import { natsUrl, uniqueName } from '@ballast/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { BusError } from './bus-error';
import { NatsBus } from './nats-bus';
import { recordedCandles } from './recorded-candles';
import { REPEATED_ERROR_EVERY_MS } from './repeated-errors';

describe('NatsBus publishing while every publish fails (no stream under its prefix, as in an outage)', () => {
  const clock = new VirtualClock(1_700_000_000_000);
  const lines: Array<{ obj: object; msg: string }> = [];
  const log = {
    info: () => {},
    warn: () => {},
    error: (obj: object, msg: string) => void lines.push({ obj, msg }),
  };
  let bus: NatsBus | undefined;
  afterAll(async () => {
    await bus?.drain();
  });

  it('logs the first failure, then one line per family every few seconds saying how many it held back', async () => {
    const servers = await natsUrl();
    bus = await NatsBus.connect({
      source: 'market-data',
      clock,
      servers,
      prefix: `${uniqueName('pub_errors')}.`,
      log,
    });
    const [candle] = recordedCandles(1);
    const to = subject(Subjects.candle, { exchange: 'binance', symbol: 'BTC-USDT', timeframe: '4h' });
    for (let i = 0; i < 20; i++) await expect(bus.publish(to, candle!)).rejects.toBeInstanceOf(BusError);
    expect(lines.filter((l) => l.msg === 'bus: publish failed')).toHaveLength(1);

    clock.advance(REPEATED_ERROR_EVERY_MS);
    await expect(bus.publish(to, candle!)).rejects.toBeInstanceOf(BusError);
    const failed = lines.filter((l) => l.msg === 'bus: publish failed');
    expect(failed).toHaveLength(2);
    expect(failed[1]?.obj).toMatchObject({ heldBack: 19 });
  });
});
