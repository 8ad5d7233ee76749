import { type ConsumerMessages, JetStreamApiCodes, JetStreamApiError } from '@nats-io/jetstream';

/** What a pull consumer reports when its durable is gone from the server: it gets nothing more. */
const LOST = new Set(['consumer_deleted', 'consumer_not_found']);

/** One life of a pull consumer: whether its durable was found gone, and how to say it was. */
export interface WatchedConsumer {
  readonly lost: boolean;
  /** Marks the durable gone and closes the consumer (once). */
  lose(notice: string): void;
}

/**
 * Watches a pull consumer's notifications and closes it when its durable is gone (deleted with its
 * stream, by hand, or by a NATS server restarted without its store): the client would otherwise go on
 * pulling from a durable that no longer exists, delivering nothing, while the bus reports healthy.
 * `lost` turns true before the close, so the loop reading the messages knows to create it again.
 */
export function closeWhenLost(messages: ConsumerMessages, onLost: (notice: string) => void): WatchedConsumer {
  let lost = false;
  const watched: WatchedConsumer = {
    get lost() {
      return lost;
    },
    lose(notice) {
      if (lost) return;
      lost = true;
      onLost(notice);
      void messages.close();
    },
  };
  void (async () => {
    for await (const status of messages.status()) {
      if (LOST.has(status.type)) return watched.lose(status.type);
    }
  })();
  return watched;
}

/** Whether a JetStream API error says the durable or its stream does not exist. */
export function isMissing(err: unknown): boolean {
  return (
    err instanceof JetStreamApiError &&
    (err.code === JetStreamApiCodes.ConsumerNotFound || err.code === JetStreamApiCodes.StreamNotFound)
  );
}
