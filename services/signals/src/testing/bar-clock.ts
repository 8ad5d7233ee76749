import type { Bus } from '@ballast/bus';
import { type Clock, type FeatureVector, Subjects } from '@ballast/contracts';
import { barClose, type VirtualClock } from '@ballast/core';

/**
 * The service's bus, delivering each feature vector as live does: as its bar closes. Before a vector's
 * handler runs, the clock moves to that bar's close (never back: a vector delivered again later, or
 * older than one already delivered, is as old as it is by then).
 */
export function deliveredAtBarClose(bus: Bus, clock: VirtualClock): Bus {
  return new Proxy(bus, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (prop !== 'subscribe') return typeof value === 'function' ? value.bind(target) : value;
      const subscribe: Bus['subscribe'] = (on, handler, options) => {
        if (on.family.name !== Subjects.features.name) return target.subscribe(on, handler, options);
        return target.subscribe(
          on,
          (message, context) => {
            const vector = message.payload as FeatureVector;
            clock.set(Math.max(clock.now(), barClose(vector)));
            return handler(message, context);
          },
          options,
        );
      };
      return subscribe;
    },
  });
}

/**
 * A publishing connection's clock: `clock`, except while a vector is published, which features does as
 * its bar closes (or later, when the clock is past it already), so its envelope's emittedAt says so.
 */
export function publishingClock(
  clock: Clock,
): Clock & { publishing<T>(vector: FeatureVector, publish: () => Promise<T>): Promise<T> } {
  let pinned: number | undefined;
  return {
    now: () => pinned ?? clock.now(),
    publishing: async (vector, publish) => {
      pinned = Math.max(clock.now(), barClose(vector));
      try {
        return await publish();
      } finally {
        pinned = undefined;
      }
    },
  };
}
