import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { PromBusObserver } from './prom-bus-observer';

describe('bus metrics', () => {
  it('declares a family’s dead-letter outcomes at 0 from its first inbound message', async () => {
    const registry = new Registry();
    const observer = new PromBusObserver(registry);
    observer.message({ family: 'md.candle', direction: 'in', outcome: 'ok' });
    observer.message({ family: 'feat', direction: 'out', outcome: 'ok' });
    const text = await registry.metrics();
    expect(text).toContain('ballast_bus_messages_total{subject="md.candle",direction="in",outcome="ok"} 1');
    expect(text).toContain(
      'ballast_bus_messages_total{subject="md.candle",direction="in",outcome="invalid"} 0',
    );
    expect(text).toContain(
      'ballast_bus_messages_total{subject="md.candle",direction="in",outcome="dead_lettered"} 0',
    );
    expect(text).toContain(
      'ballast_bus_messages_total{subject="md.candle",direction="in",outcome="stuck"} 0',
    );
    // Outbound traffic has no dead letters to declare.
    expect(text).not.toContain('subject="feat",direction="in"');
  });

  it('counts dead letters on top of the declared zero', async () => {
    const registry = new Registry();
    const observer = new PromBusObserver(registry);
    observer.message({ family: 'ord.evt', direction: 'in', outcome: 'ok' });
    observer.message({ family: 'ord.evt', direction: 'in', outcome: 'invalid' });
    observer.message({ family: 'ord.evt', direction: 'in', outcome: 'invalid' });
    expect(await registry.metrics()).toContain(
      'ballast_bus_messages_total{subject="ord.evt",direction="in",outcome="invalid"} 2',
    );
  });
});
