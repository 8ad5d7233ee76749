import { type Envelope, type SubjectFamily, Subjects } from '@ballast/contracts';
import { describe, expect, it } from 'vitest';
import { checkOutbound } from './envelope-codec';
import { deepFreezeParsed, frozenJsonCopy } from './frozen-json';
import { RECORDED_CANDLE_FILE, recordedCandles } from './recorded-candles';

const roundTrip = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

function isDeepFrozen(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return true;
  return Object.isFrozen(value) && Object.values(value).every(isDeepFrozen);
}

describe(`frozenJsonCopy (payloads from ${RECORDED_CANDLE_FILE})`, () => {
  it('equals the JSON round trip of checked envelopes, key order included, frozen to the leaves', () => {
    const family = Subjects.candle as SubjectFamily<unknown>;
    for (const candle of recordedCandles(50)) {
      const checked = checkOutbound(family, {
        id: '0190a1b2-c3d4-7e5f-8a9b-000000000001',
        type: family.type,
        version: family.version,
        eventTime: candle.closeTime,
        emittedAt: candle.closeTime + 1,
        source: 'market-data',
        correlationId: 'trade-idea-1',
        causationId: null,
        payload: candle,
      });
      const copy = frozenJsonCopy(checked) as Envelope<unknown>;
      expect(JSON.stringify(copy)).toBe(JSON.stringify(checked));
      expect(copy).toStrictEqual(roundTrip(checked));
      expect(isDeepFrozen(copy)).toBe(true);
      expect(copy.payload).not.toBe(checked.payload);
    }
  });

  it('carries what JSON cannot as JSON does: undefined left out or null, -0 as 0, non-finite as null', () => {
    const odd = {
      gone: undefined,
      zero: -0,
      nan: Number.NaN,
      inf: Number.POSITIVE_INFINITY,
      list: [undefined, -0, Number.NEGATIVE_INFINITY, 'a', true, null],
      nested: { deep: [{ x: 1, y: undefined }] },
      '2': 'integer keys first',
      'quote "\\': 'ünïcode €',
    };
    const copy = frozenJsonCopy(odd);
    expect(copy).toStrictEqual(roundTrip(odd));
    expect(Object.keys(copy as object)).toEqual(Object.keys(roundTrip(odd) as object));
    expect(Object.is((copy as { zero: number }).zero, 0)).toBe(true);
    expect(isDeepFrozen(copy)).toBe(true);
  });

  it('declines what JSON converts in its own way, so the caller goes through the text', () => {
    class Point {
      x = 1;
    }
    for (const value of [
      { at: new Date(0) },
      { p: new Point() },
      { f: () => 1 },
      { toJSON: () => 'x' },
      { big: 1n },
      { s: Symbol('s') },
      [new Map()],
      JSON.parse('{"__proto__": {"polluted": true}}'),
    ]) {
      expect(frozenJsonCopy(value)).toBeUndefined();
    }
  });

  it('deepFreezeParsed freezes every object JSON.parse returned', () => {
    const parsed = deepFreezeParsed(JSON.parse('{"a":[{"b":1},[2,3]],"c":{"d":null}}'));
    expect(isDeepFrozen(parsed)).toBe(true);
  });
});
