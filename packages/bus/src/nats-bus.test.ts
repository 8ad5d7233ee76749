import { natsUrl, uniqueName } from '@ballast/testkit';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { runBusConformance } from './conformance';
import { NatsBus } from './nats-bus';
import { NatsNaming } from './nats-naming';
import { deleteStreams, ensureStreams } from './nats-streams';

runBusConformance('NatsBus (JetStream)', async () => {
  const servers = await natsUrl();
  const prefix = `${uniqueName('bus_conformance')}.`;
  const naming = new NatsNaming(prefix);
  const nc = await connect({ servers });
  const jsm = await jetstreamManager(nc);
  await ensureStreams(jsm, naming);
  const js = jetstream(nc);
  return {
    makeBus: (deps) => NatsBus.connect({ ...deps, servers, prefix }),
    publishRaw: async (subjectValue, raw) => {
      await js.publish(naming.subject(subjectValue), new TextEncoder().encode(raw));
    },
    refuseDeadLetters: async () => {
      await jsm.streams.delete(naming.stream('DLQ'));
      return () => ensureStreams(jsm, naming);
    },
    close: async () => {
      await deleteStreams(jsm, naming);
      await nc.close();
    },
  };
});
