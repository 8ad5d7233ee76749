// One pass-through process of the JetStream floor (bench/support/jetstream-floor.ts): consumes its leg with a
// durable pull consumer, publishes the same bytes on the next leg and waits for the PubAck, then acks:
// what each service on the trading chain does around its own work, with no work in between.
import { jetstream } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';

const [servers, stream, durable, outbound] = process.argv.slice(2) as [string, string, string, string];
const nc = await connect({ servers });
const js = jetstream(nc);
const messages = await (await js.consumers.get(stream, durable)).consume({ max_messages: 32 });
process.send?.('ready');
process.on('disconnect', () => void nc.close().then(() => process.exit(0)));
for await (const m of messages) {
  await js.publish(outbound, m.data);
  m.ack();
}
