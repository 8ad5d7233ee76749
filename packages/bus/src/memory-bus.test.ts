import { runBusConformance } from './conformance';
import { MemoryBus } from './memory-bus';
import { MemoryHub } from './memory-hub';

runBusConformance('MemoryBus', async () => {
  const hub = new MemoryHub();
  return {
    makeBus: async (deps) => new MemoryBus({ ...deps, hub }),
    publishRaw: async (subjectValue, raw) => hub.publishRaw(subjectValue, raw),
    close: async () => {},
  };
});
