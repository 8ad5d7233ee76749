import type { Envelope } from '@ballast/contracts';

/**
 * The wire bytes of a checked md.book / md.trade envelope whose payload carries its own encoding
 * (hot-envelopes.ts), written straight into the one buffer NATS gets: a cached template per type,
 * version and source, the id, two integers, and the payload's bytes. Only for the shape market data
 * publishes (correlation id = id, no causation id, a UUID id, ASCII type and source); any other
 * header returns undefined and is written as text. `hot-envelopes.test.ts` proves the bytes equal
 * JSON.stringify of the envelope.
 */
export function hotWireBytes<T>(checked: Envelope<T>, payloadJson: Uint8Array): Uint8Array | undefined {
  const { id, eventTime, emittedAt } = checked;
  if (checked.correlationId !== id || checked.causationId !== null || id.length !== UUID_LENGTH)
    return undefined;
  const t = templateFor(checked.type, checked.version, checked.source);
  if (t === undefined) return undefined;
  const eventDigits = digitCount(eventTime);
  const emittedDigits = digitCount(emittedAt);
  const size = t.fixedLength + 2 * UUID_LENGTH + eventDigits + emittedDigits + payloadJson.byteLength + 1;
  const out = Buffer.allocUnsafe(size);
  let at = put(out, 0, ID);
  at = putAscii(out, at, id);
  at = put(out, at, t.beforeEventTime);
  at = putInteger(out, at, eventTime, eventDigits);
  at = put(out, at, EMITTED_AT);
  at = putInteger(out, at, emittedAt, emittedDigits);
  at = put(out, at, t.beforeCorrelationId);
  at = putAscii(out, at, id);
  at = put(out, at, NO_CAUSATION_PAYLOAD);
  out.set(payloadJson, at);
  out[size - 1] = CLOSE_BRACE;
  return out;
}

const UUID_LENGTH = 36;
const CLOSE_BRACE = 0x7d;
const bytesOf = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));
const ID = bytesOf('{"id":"');
const EMITTED_AT = bytesOf(',"emittedAt":');
const NO_CAUSATION_PAYLOAD = bytesOf('","causationId":null,"payload":');

interface Template {
  type: string;
  version: number;
  source: string;
  beforeEventTime: Uint8Array;
  beforeCorrelationId: Uint8Array;
  fixedLength: number;
}

// A service publishes a handful of types from one source name.
const templates: Template[] = [];
const MAX_TEMPLATES = 32;
const PLAIN = /^[\x20-\x7e]*$/;

function templateFor(type: string, version: number, source: string): Template | undefined {
  for (const t of templates) if (t.type === type && t.version === version && t.source === source) return t;
  // JSON.stringify adds nothing but the quotes to printable ASCII without quotes or backslashes.
  if (!PLAIN.test(type) || !PLAIN.test(source) || /["\\]/.test(type + source)) return undefined;
  if (!Number.isSafeInteger(version) || templates.length >= MAX_TEMPLATES) return undefined;
  const beforeEventTime = bytesOf(`","type":"${type}","version":${version},"eventTime":`);
  const beforeCorrelationId = bytesOf(`,"source":"${source}","correlationId":"`);
  const template = {
    type,
    version,
    source,
    beforeEventTime,
    beforeCorrelationId,
    fixedLength:
      ID.length +
      beforeEventTime.length +
      EMITTED_AT.length +
      beforeCorrelationId.length +
      NO_CAUSATION_PAYLOAD.length,
  };
  templates.push(template);
  return template;
}

function put(out: Uint8Array, at: number, bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; i++) out[at++] = bytes[i] as number;
  return at;
}

function putAscii(out: Uint8Array, at: number, text: string): number {
  for (let i = 0; i < text.length; i++) out[at++] = text.charCodeAt(i);
  return at;
}

/** Digits of a safe non-negative integer (what the header check allows for times). */
function digitCount(n: number): number {
  let digits = 1;
  for (let rest = n; rest >= 10; rest = Math.floor(rest / 10)) digits++;
  return digits;
}

function putInteger(out: Uint8Array, at: number, n: number, digits: number): number {
  let rest = n;
  for (let i = at + digits - 1; i >= at; i--) {
    out[i] = 0x30 + (rest % 10);
    rest = Math.floor(rest / 10);
  }
  return at + digits;
}
