import type { ConsumerMessages } from '@nats-io/jetstream';

/** What a pull consumer reports when its durable is gone from the server: it gets nothing more. */
const LOST = new Set(['consumer_deleted', 'consumer_not_found']);

/**
 * Watches a pull consumer's notifications and closes it when its durable is gone (deleted with its
 * stream, by hand, or by a NATS server restarted without its store): the client would otherwise go on
 * pulling from a durable that no longer exists, delivering nothing, while the bus reports healthy.
 * `lost` turns true before the close, so the loop reading the messages knows to create it again.
 */
export function closeWhenLost(
  messages: ConsumerMessages,
  onLost: (notice: string) => void,
): { lost: boolean } {
  const state = { lost: false };
  void (async () => {
    for await (const status of messages.status()) {
      if (!LOST.has(status.type)) continue;
      state.lost = true;
      onLost(status.type);
      await messages.close();
      return;
    }
  })();
  return state;
}
