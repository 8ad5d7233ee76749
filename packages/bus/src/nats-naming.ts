import { BusError } from './bus-error';

const PREFIX = /^([A-Za-z0-9_-]+\.)*$/;

/**
 * Maps logical subjects and stream names to the wire. A prefix such as `t_x_ab12.` isolates a test
 * or a deployment: subjects get it as is, stream names with dots turned into underscores
 * (stream names may not contain dots).
 */
export class NatsNaming {
  private readonly streamPrefix: string;

  constructor(readonly prefix = '') {
    if (!PREFIX.test(prefix)) {
      throw new BusError(
        'transport',
        `invalid subject prefix "${prefix}": tokens of [A-Za-z0-9_-], each ending with a dot`,
      );
    }
    this.streamPrefix = prefix.replaceAll('.', '_');
  }

  subject(logical: string): string {
    return this.prefix + logical;
  }

  stream(logical: string): string {
    return this.streamPrefix + logical;
  }

  /** The logical subject of a wire subject (the server only sends prefixed ones). */
  logical(wire: string): string {
    return wire.startsWith(this.prefix) ? wire.slice(this.prefix.length) : wire;
  }
}
