import { type Envelope, type SubjectFamily, Subjects } from '@ballast/contracts';
import { describe, expect, it } from 'vitest';
import { checkOutbound, encodeChecked, encodeEnvelope, wireBytes } from './envelope-codec';
import { RECORDED_CANDLE_FILE, recordedCandles } from './recorded-candles';

const ID = '0190a1b2-c3d4-7e5f-8a9b-000000000001';
const texts = [
  'market-data',
  'quote " and \\ slash',
  'ünïcode €',
  '😀 pair',
  'lone \ud800 high',
  'tab\tnew\nline',
];

function envelopes(): Envelope<unknown>[] {
  const family = Subjects.candle as SubjectFamily<unknown>;
  const out: Envelope<unknown>[] = [];
  for (const [i, candle] of recordedCandles(20).entries()) {
    const text = texts[i % texts.length] as string;
    out.push(
      checkOutbound(family, {
        id: ID,
        type: family.type,
        version: family.version,
        eventTime: candle.closeTime,
        emittedAt: candle.closeTime + i,
        source: text,
        correlationId: i % 3 === 0 ? ID : text,
        causationId: i % 2 === 0 ? null : text,
        payload: candle,
      }),
    );
  }
  return out;
}

describe(`encodeChecked and wireBytes (payloads from ${RECORDED_CANDLE_FILE})`, () => {
  it('write exactly what JSON.stringify writes for checked envelopes, odd text included', () => {
    for (const envelope of envelopes()) {
      expect(encodeChecked(envelope)).toBe(encodeEnvelope(envelope));
      expect(encodeChecked(envelope)).toBe(JSON.stringify(envelope));
    }
  });

  it('write the same UTF-8 bytes as TextEncoder, including non-ASCII text and lone surrogates', () => {
    for (const envelope of envelopes()) {
      const expected = new TextEncoder().encode(JSON.stringify(envelope));
      expect(Array.from(wireBytes(envelope))).toEqual(Array.from(expected));
    }
  });
});
