import {
  type DeadLetter,
  derivedUuid,
  type Envelope,
  type EnvelopeHeader,
  type SubjectFamily,
} from '@ballast/contracts';
import {
  type BusLogger,
  type BusObserver,
  DEFAULT_BACKOFF_MS,
  DEFAULT_MAX_DELIVER,
  type Handler,
  type SubscribeOptions,
} from './bus';
import { deadLetterRaw } from './dead-letter-raw';
import { type Decoded, decodeEnvelope, readableHeader } from './envelope-codec';

/** What a transport does with a message once the pipeline has decided. */
export interface DeliveryControl {
  ack(): void;
  /** Deliver again after `delayMs` (transports on a virtual clock redeliver at once). */
  retry(delayMs: number): void;
  /** Never deliver again. */
  terminate(reason: string): void;
}

export interface InboundMessage {
  /** The logical subject (without any deployment prefix). */
  subject: string;
  raw: string;
  deliveries: number;
  /**
   * The envelope `raw` encodes, already validated as `target.family`'s by a publisher in this process
   * and frozen (MemoryBus): handed to the handler as it is. Never set for bytes from a network or a
   * foreign producer.
   */
  envelope?: Envelope<unknown>;
}

export interface DeliveryTarget<T> {
  family: SubjectFamily<T>;
  handler: Handler<T>;
  durable: string;
  maxDeliver: number;
  backoffMs: readonly number[];
}

export interface DeliveryServices {
  observer: BusObserver;
  log: BusLogger;
  /**
   * Publishes to `dlq.<subject>` as envelope `id` (a fresh one when undefined); rejects when the
   * transport cannot.
   */
  deadLetter(
    letter: DeadLetter,
    causedBy: Pick<EnvelopeHeader, 'id' | 'correlationId'> | undefined,
    id: string | undefined,
  ): Promise<void>;
}

export function deliveryTarget<T>(
  family: SubjectFamily<T>,
  handler: Handler<T>,
  options: SubscribeOptions,
): DeliveryTarget<T> {
  return {
    family,
    handler,
    durable: options.durable,
    maxDeliver: Math.max(1, options.maxDeliver ?? DEFAULT_MAX_DELIVER),
    backoffMs: options.backoffMs && options.backoffMs.length > 0 ? options.backoffMs : DEFAULT_BACKOFF_MS,
  };
}

export function backoffFor(backoffMs: readonly number[], deliveries: number): number {
  return backoffMs[Math.min(deliveries, backoffMs.length) - 1] ?? 0;
}

/**
 * The one place both transports decide a message's fate: validate, run the handler, then ack,
 * retry with backoff, or dead-letter and terminate. Never throws.
 */
export async function processDelivery<T>(
  message: InboundMessage,
  target: DeliveryTarget<T>,
  services: DeliveryServices,
  control: DeliveryControl,
): Promise<void> {
  const family = target.family.name;
  const decoded: Decoded<T> = message.envelope
    ? { ok: true, envelope: message.envelope as Envelope<T> }
    : decodeEnvelope(target.family, message.raw);
  if (!decoded.ok) {
    services.observer.message({ family, direction: 'in', outcome: 'invalid' });
    services.log.warn(
      { subject: message.subject, durable: target.durable, error: decoded.error },
      'bus: invalid message',
    );
    await reject(message, target, services, control, decoded.error, 'invalid');
    return;
  }
  if (message.deliveries > target.maxDeliver) {
    await exhausted(message, target, services, control, decoded.envelope);
    return;
  }
  const started = performance.now();
  try {
    await target.handler(decoded.envelope, { subject: message.subject, deliveries: message.deliveries });
  } catch (err) {
    services.observer.handled({ family, seconds: (performance.now() - started) / 1000, outcome: 'error' });
    await failed(message, target, services, control, errorText(err), decoded.envelope);
    return;
  }
  services.observer.handled({ family, seconds: (performance.now() - started) / 1000, outcome: 'ok' });
  services.observer.message({ family, direction: 'in', outcome: 'ok' });
  control.ack();
}

async function failed<T>(
  message: InboundMessage,
  target: DeliveryTarget<T>,
  services: DeliveryServices,
  control: DeliveryControl,
  error: string,
  header: EnvelopeHeader,
): Promise<void> {
  const context = {
    subject: message.subject,
    durable: target.durable,
    id: header.id,
    deliveries: message.deliveries,
    error,
  };
  if (message.deliveries < target.maxDeliver) {
    services.observer.message({ family: target.family.name, direction: 'in', outcome: 'error' });
    services.log.warn(context, 'bus: handler failed, will redeliver');
    control.retry(backoffFor(target.backoffMs, message.deliveries));
    return;
  }
  services.observer.message({ family: target.family.name, direction: 'in', outcome: 'dead_lettered' });
  services.log.error(context, 'bus: handler failed on the last delivery, dead-lettering');
  await reject(message, target, services, control, error, 'max deliveries');
}

/**
 * A delivery past the handler's tries: the last one failed and could not be dead-lettered, or its
 * process stopped while handling it (a crash, a shutdown). Dead-lettered without running the handler.
 */
async function exhausted<T>(
  message: InboundMessage,
  target: DeliveryTarget<T>,
  services: DeliveryServices,
  control: DeliveryControl,
  header: EnvelopeHeader,
): Promise<void> {
  const error = `not handled within ${target.maxDeliver} deliveries (the last failed and could not be dead-lettered then, or its process stopped)`;
  services.observer.message({ family: target.family.name, direction: 'in', outcome: 'dead_lettered' });
  services.log.error(
    {
      subject: message.subject,
      durable: target.durable,
      id: header.id,
      deliveries: message.deliveries,
      error,
    },
    'bus: delivered past its tries, dead-lettering',
  );
  await reject(message, target, services, control, error, 'max deliveries');
}

async function reject<T>(
  message: InboundMessage,
  target: DeliveryTarget<T>,
  services: DeliveryServices,
  control: DeliveryControl,
  error: string,
  why: string,
): Promise<void> {
  const letter: DeadLetter = {
    subject: message.subject,
    error,
    raw: deadLetterRaw(message.raw),
    consumer: target.durable,
    deliveries: message.deliveries,
  };
  const causedBy = readableHeader(message.raw);
  try {
    await services.deadLetter(letter, causedBy, causedBy && deadLetterId(target.durable, causedBy.id));
  } catch (err) {
    // Keep the message rather than lose it: the transport bounds how often this repeats.
    services.log.error({ subject: message.subject, error: errorText(err) }, 'bus: dead-lettering failed');
    control.retry(backoffFor(target.backoffMs, message.deliveries));
    return;
  }
  control.terminate(`${why}: ${error}`);
}

/**
 * The envelope id of `durable`'s dead letter for message `messageId`: the same on every try, so a
 * dead letter stored whose publish still failed (its PubAck lost to a timeout) and is tried again on
 * the redelivery is kept once by the stream's duplicate window, not stored twice. Not derived from the
 * delivery count: the retry comes on the next delivery.
 */
export function deadLetterId(durable: string, messageId: string): string {
  return derivedUuid('dead-letter', durable, messageId);
}

export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
