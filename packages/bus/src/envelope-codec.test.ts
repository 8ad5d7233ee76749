import type { Envelope } from '@ballast/contracts';
import { describe, expect, it } from 'vitest';
import { wireBytes } from './envelope-codec';

describe('wireBytes', () => {
  it('writes the same UTF-8 bytes as TextEncoder, including non-ASCII text and lone surrogates', () => {
    const texts = [
      'market-data',
      'ünïcode €',
      '😀 pair',
      'lone \ud800 high',
      'lone \udc00 low',
      'end \ud83d',
    ];
    for (const text of texts) {
      const envelope = { id: '0190a1b2-c3d4-7e5f-8a9b-000000000001', source: text, payload: { text } };
      const bytes = wireBytes(envelope as unknown as Envelope<unknown>);
      expect(Array.from(bytes)).toEqual(Array.from(new TextEncoder().encode(JSON.stringify(envelope))));
    }
  });
});
