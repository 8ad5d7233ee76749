import type { Bus } from '@ballast/bus';
import type { Envelope } from '@ballast/contracts';

type Subject = Parameters<Bus['publish']>[0];

/** The bus, every publish going through `around` (to inject a failure before or after it went out). */
export function onPublish(
  bus: Bus,
  around: (
    on: Subject,
    publish: () => Promise<Envelope<unknown>>,
    payload: unknown,
  ) => Promise<Envelope<unknown>>,
): Bus {
  return new Proxy(bus, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (prop !== 'publish') return typeof value === 'function' ? value.bind(target) : value;
      const publish: Bus['publish'] = (on, payload, options) =>
        around(on, () => target.publish(on, payload, options), payload) as never;
      return publish;
    },
  });
}
