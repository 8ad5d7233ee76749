import type { Bus } from './bus';

/**
 * `inner` with its publishing done by `publish` (which may call inner's): a publish held, failed or
 * watched on its way out, everything else as `inner` does it. What tests wrap a service's bus with.
 */
export function publishThrough(inner: Bus, publish: Bus['publish']): Bus {
  return {
    source: inner.source,
    publish,
    publishEnvelope: (on, envelope) => inner.publishEnvelope(on, envelope),
    subscribe: (on, handler, options) => inner.subscribe(on, handler, options),
    request: (endpoint, request, options) => inner.request(endpoint, request, options),
    serve: (endpoint, handler) => inner.serve(endpoint, handler),
    isHealthy: () => inner.isHealthy(),
    drain: () => inner.drain(),
  };
}
