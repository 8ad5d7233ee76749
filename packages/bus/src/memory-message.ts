import type { Envelope, SubjectFamily } from '@ballast/contracts';
import { encodeChecked } from './envelope-codec';
import { deepFreezeParsed, frozenJsonCopy } from './frozen-json';
import { payloadJsonOf } from './hot-envelopes';

/**
 * One message as MemoryHub keeps it. A message MemoryBus validated is kept as the frozen envelope
 * its subscribers get (what they would parse from its text, `frozen-json.ts`), so it is neither
 * encoded nor parsed per delivery; its text is written only when something needs it (a subscriber of
 * another family, a dead letter). Text from `publishRaw` is kept as text and validated per delivery.
 */
export class MemoryMessage {
  private constructor(
    readonly subject: string,
    /** Validated as `checkedAs`'s envelope and frozen; null for unvalidated text. */
    readonly envelope: Envelope<unknown> | null,
    readonly checkedAs: SubjectFamily<unknown> | null,
    private text: string | undefined,
  ) {}

  /** A message the publisher validated as `family`'s envelope (`checkOutbound`'s result). */
  static checked<T>(subject: string, family: SubjectFamily<T>, checked: Envelope<T>): MemoryMessage {
    const asUnknown = family as SubjectFamily<unknown>;
    // A payload carrying its own encoding is sent as that encoding: deliver what it parses to.
    if (payloadJsonOf(checked.payload) === undefined) {
      const copy = frozenJsonCopy(checked) as Envelope<unknown> | undefined;
      if (copy !== undefined) return new MemoryMessage(subject, copy, asUnknown, undefined);
    }
    const text = encodeChecked(checked);
    return new MemoryMessage(subject, deepFreezeParsed(JSON.parse(text)), asUnknown, text);
  }

  /** Text as a foreign or broken producer would send it. */
  static raw(subject: string, text: string): MemoryMessage {
    return new MemoryMessage(subject, null, null, text);
  }

  /** The message's text: exactly what NatsBus would send for it. */
  get raw(): string {
    this.text ??= encodeChecked(this.envelope as Envelope<unknown>);
    return this.text;
  }

  /** The envelope to hand a subscriber of `family` as it is, or undefined when it must be decoded. */
  deliverableTo(family: SubjectFamily<unknown>): Envelope<unknown> | undefined {
    return this.checkedAs === family && this.envelope !== null ? this.envelope : undefined;
  }
}
