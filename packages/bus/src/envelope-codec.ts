import {
  type Clock,
  type Envelope,
  EnvelopeHeader,
  envelopeSchema,
  type IdGenerator,
  type SubjectFamily,
} from '@ballast/contracts';
import type { z } from 'zod';
import type { PublishOptions } from './bus';
import { BusError } from './bus-error';
import { checkedPayload } from './checked-payload';
import { checkedHeader } from './envelope-header-check';
import { checkHotEnvelope, payloadJsonOf } from './hot-envelopes';
import { hotWireBytes } from './hot-envelopes-wire';
import { isObject } from './payload-checks';
import { describeIssues } from './zod-issues';

export interface EnvelopeOrigin {
  source: string;
  clock: Clock;
  ids: IdGenerator;
}

/** Fills the metadata the caller does not give: ids, times and trace ids. */
export function buildEnvelope<T>(
  origin: EnvelopeOrigin,
  family: SubjectFamily<T>,
  payload: T,
  options: PublishOptions = {},
): Envelope<T> {
  const id = options.id ?? origin.ids();
  const emittedAt = origin.clock.now();
  return {
    id,
    type: family.type,
    version: family.version,
    eventTime: options.eventTime ?? emittedAt,
    emittedAt,
    source: origin.source,
    correlationId: options.correlationId ?? options.causedBy?.correlationId ?? id,
    causationId: options.causationId !== undefined ? options.causationId : (options.causedBy?.id ?? null),
    payload,
  };
}

/** Checks an outbound envelope; the returned one carries the parsed payload (unknown keys stripped). */
export function checkOutbound<T>(family: SubjectFamily<T>, envelope: Envelope<T>): Envelope<T> {
  const fast = checkedEnvelope(family, envelope);
  if (fast) return fast;
  const payload = family.schema.safeParse(envelope.payload);
  if (!payload.success) {
    throw new BusError('invalid_payload', `invalid ${family.name} payload: ${describeIssues(payload.error)}`);
  }
  const header = checkedHeader(family as SubjectFamily<unknown>, envelope);
  if (header) return { ...header, payload: payload.data };
  return zodCheckedHeader(family, envelope, payload.data);
}

/**
 * The envelope zod would return, checked by hand, for the families with a hand-written payload check
 * (hot-envelopes.ts, checked-payload.ts); undefined when not certainly valid, and zod decides.
 */
function checkedEnvelope<T>(family: SubjectFamily<T>, envelope: unknown): Envelope<T> | undefined {
  if (!isObject(envelope)) return undefined;
  const hot = checkHotEnvelope(family, envelope as unknown as Envelope<T>);
  if (hot) return hot;
  const payload = checkedPayload(family, envelope.payload);
  if (payload === undefined) return undefined;
  const header = checkedHeader(family as SubjectFamily<unknown>, envelope);
  return header ? { ...header, payload } : undefined;
}

function zodCheckedHeader<T>(family: SubjectFamily<T>, envelope: Envelope<T>, payload: T): Envelope<T> {
  const header = EnvelopeHeader.safeParse(envelope);
  if (!header.success) {
    throw new BusError(
      'invalid_envelope',
      `invalid ${family.name} envelope: ${describeIssues(header.error)}`,
    );
  }
  const mismatch = familyMismatch(family, header.data);
  if (mismatch) throw new BusError('invalid_envelope', mismatch);
  return { ...header.data, payload };
}

function familyMismatch(family: SubjectFamily<unknown>, header: EnvelopeHeader): string | null {
  if (header.type === family.type && header.version === family.version) return null;
  return `envelope ${header.type} v${header.version} does not belong to ${family.name} (${family.type} v${family.version})`;
}

export function encodeEnvelope<T>(envelope: Envelope<T>): string {
  return JSON.stringify(envelope);
}

/**
 * `encodeEnvelope` of an envelope that `checkOutbound` returned, whose header therefore has exactly
 * EnvelopeHeader's keys in order, a UUID id and integer numbers: the header is written by hand, which
 * spares JSON.stringify's escape scan of two UUIDs per message (equal text: `envelope-codec.test.ts`).
 * A payload carrying its own encoding (hot-envelopes.ts) is not encoded again.
 */
export function encodeChecked<T>(checked: Envelope<T>): string {
  if (checked.payload === undefined) return JSON.stringify(checked);
  const json = payloadJsonOf(checked.payload);
  const payload = json
    ? Buffer.from(json.buffer, json.byteOffset, json.byteLength).toString('utf8')
    : undefined;
  return `${headerText(checked)}${payload ?? JSON.stringify(checked.payload)}}`;
}

/** Everything before the payload's text: `{"id":…,"payload":`. */
function headerText<T>(checked: Envelope<T>): string {
  return (
    `{"id":"${checked.id}","type":${quoted(checked.type)},"version":${checked.version},` +
    `"eventTime":${checked.eventTime},"emittedAt":${checked.emittedAt},"source":${quoted(checked.source)},` +
    `"correlationId":${checked.correlationId === checked.id ? `"${checked.id}"` : JSON.stringify(checked.correlationId)},` +
    `"causationId":${checked.causationId === null ? 'null' : JSON.stringify(checked.causationId)},"payload":`
  );
}

// A service publishes a handful of types from one source name: quote each once.
const quotedText = new Map<string, string>();
const MAX_QUOTED = 1_000;

function quoted(text: string): string {
  let json = quotedText.get(text);
  if (json === undefined) {
    json = JSON.stringify(text);
    if (quotedText.size < MAX_QUOTED) quotedText.set(text, json);
  }
  return json;
}

/**
 * The UTF-8 bytes NatsBus sends for a checked envelope. Buffer.from writes the same bytes as
 * TextEncoder (lone surrogates become U+FFFD in both) at a fraction of its cost on Node 20.
 * A payload's own encoding is copied in after the header, never turned into text.
 */
export function wireBytes<T>(checked: Envelope<T>): Uint8Array {
  const json = checked.payload === undefined ? undefined : payloadJsonOf(checked.payload);
  if (!json) return Buffer.from(encodeChecked(checked), 'utf8');
  const hot = hotWireBytes(checked, json);
  if (hot) return hot;
  const header = headerText(checked);
  const headerBytes = Buffer.byteLength(header, 'utf8');
  const out = Buffer.allocUnsafe(headerBytes + json.byteLength + 1);
  out.write(header, 0, 'utf8');
  out.set(json, headerBytes);
  out[out.length - 1] = CLOSE_BRACE;
  return out;
}

const CLOSE_BRACE = 0x7d;

export type Decoded<T> = { ok: true; envelope: Envelope<T> } | { ok: false; error: string };

/** Parses and validates an inbound message as its family's envelope; never throws. */
// Building the envelope schema per message made zod recompile it every time (most of a replay's CPU).
const envelopeSchemas = new WeakMap<SubjectFamily<unknown>, ReturnType<typeof envelopeSchema>>();

function schemaFor<T>(family: SubjectFamily<T>): ReturnType<typeof envelopeSchema> {
  const key = family as SubjectFamily<unknown>;
  let schema = envelopeSchemas.get(key);
  if (!schema) {
    schema = envelopeSchema(family.schema as z.ZodType<unknown>);
    envelopeSchemas.set(key, schema);
  }
  return schema;
}

export function decodeEnvelope<T>(family: SubjectFamily<T>, raw: string): Decoded<T> {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (err) {
    return { ok: false, error: `malformed JSON: ${(err as Error).message}` };
  }
  const fast = checkedEnvelope(family, json);
  if (fast) return { ok: true, envelope: fast };
  const parsed = schemaFor(family).safeParse(json);
  if (!parsed.success)
    return { ok: false, error: `invalid ${family.name} envelope: ${describeIssues(parsed.error)}` };
  const envelope = parsed.data as Envelope<T>;
  const mismatch = familyMismatch(family, envelope);
  return mismatch ? { ok: false, error: mismatch } : { ok: true, envelope };
}

/** The trace ids of a message that failed validation, when its header is still readable. */
export function readableHeader(raw: string): Pick<EnvelopeHeader, 'id' | 'correlationId'> | undefined {
  try {
    const header = EnvelopeHeader.pick({ id: true, correlationId: true }).safeParse(JSON.parse(raw));
    return header.success ? header.data : undefined;
  } catch {
    return undefined;
  }
}
