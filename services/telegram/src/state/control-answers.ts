import type { ControlAck } from '@ballast/contracts';
import { ackSender, type Notice, unansweredEntries } from '@ballast/core';

export interface ControlAnswersOptions {
  /** Who must answer each command: a service (any venue's answers) or `service@exchange`. */
  expected: readonly string[];
  /** How long after a command is seen a missing answer is told. */
  timeoutMs: number;
}

interface Awaited {
  kind: ControlAck['command'];
  requestedBy: string;
  deadline: number;
  /** By `service@exchange`: each venue's services answer for their own account. */
  acks: Map<string, ControlAck>;
  told: boolean;
}

/** Answers to commands not seen yet are kept this many at most (kill and resume travel apart). */
const MAX_EARLY = 200;

/** What is wrong with an answer, or null: a flatten that left a position open, a switch not as asked. */
function problem(a: ControlAck): string | null {
  if (a.flat === false) return 'NOT flat';
  if (a.engaged !== (a.command === 'kill')) return 'not applied';
  return null;
}

function line(a: ControlAck): string {
  const wrong = problem(a);
  // Risk's refusal already begins "not applied: ...".
  if (wrong) return `${ackSender(a)} ✗ ${a.detail.startsWith(wrong) ? a.detail : `${wrong}: ${a.detail}`}`;
  return `${ackSender(a)} ✓${a.detail ? ` ${a.detail}` : ''}`;
}

/**
 * What the services answered (control.ack) to each kill and resume seen on the bus, told once every
 * expected service has answered, or at the deadline naming who has not. A command's own message only
 * says it was asked for: this is what says whether it was done. Pure: callers pass the time.
 */
export class ControlAnswers {
  private readonly awaited = new Map<string, Awaited>();
  private readonly early = new Map<string, { acks: ControlAck[]; at: number }>();

  constructor(private readonly options: ControlAnswersOptions) {}

  /** A kill or resume seen: its answers are awaited until `now + timeoutMs`. */
  onCommand(kind: ControlAck['command'], commandId: string, requestedBy: string, now: number): Notice | null {
    if (this.awaited.has(commandId)) return null;
    const waiting: Awaited = {
      kind,
      requestedBy,
      deadline: now + this.options.timeoutMs,
      acks: new Map(),
      told: false,
    };
    this.awaited.set(commandId, waiting);
    for (const ack of this.early.get(commandId)?.acks ?? []) waiting.acks.set(ackSender(ack), ack);
    this.early.delete(commandId);
    return this.toldIfComplete(waiting, now);
  }

  /** One service's answer; a wrong one arriving after the command was told is told on its own. */
  onAck(ack: ControlAck, now: number): Notice | null {
    const waiting = this.awaited.get(ack.commandId);
    if (!waiting) {
      this.keepEarly(ack, now);
      return null;
    }
    if (waiting.acks.has(ackSender(ack))) return null;
    waiting.acks.set(ackSender(ack), ack);
    if (!waiting.told) return this.toldIfComplete(waiting, now);
    return problem(ack) ? this.notice(waiting, [ack], [], now) : null;
  }

  /** Commands past their deadline, told with who has not answered if not told yet; then forgotten. */
  due(now: number): Notice[] {
    const told: Notice[] = [];
    for (const [id, waiting] of this.awaited) {
      if (waiting.deadline > now) continue;
      this.awaited.delete(id);
      if (!waiting.told) told.push(this.summary(waiting, now));
    }
    for (const [id, early] of this.early) if (early.at + this.options.timeoutMs <= now) this.early.delete(id);
    return told;
  }

  private toldIfComplete(waiting: Awaited, now: number): Notice | null {
    if (this.missing(waiting).length > 0) return null;
    return this.summary(waiting, now);
  }

  private summary(waiting: Awaited, now: number): Notice {
    waiting.told = true;
    return this.notice(waiting, [...waiting.acks.values()], this.missing(waiting), now);
  }

  private notice(waiting: Awaited, acks: ControlAck[], missing: string[], now: number): Notice {
    const what = waiting.kind === 'kill' ? 'Kill' : 'Resume';
    const ok = missing.length === 0 && acks.every((a) => problem(a) === null);
    const lines = acks.map(line);
    if (missing.length > 0)
      lines.push(`no answer from ${missing.join(', ')} within ${this.options.timeoutMs / 1000} s`);
    return {
      kind: 'kill switch',
      severity: ok && waiting.kind === 'resume' ? 'info' : 'critical',
      text: `${what} by ${waiting.requestedBy} ${ok ? 'confirmed' : 'NOT confirmed'}: ${lines.join('; ')}`,
      at: now,
    };
  }

  private missing(waiting: Awaited): string[] {
    return unansweredEntries(this.options.expected, [...waiting.acks.values()]);
  }

  private keepEarly(ack: ControlAck, now: number): void {
    const early = this.early.get(ack.commandId) ?? { acks: [], at: now };
    early.acks.push(ack);
    this.early.set(ack.commandId, early);
    if (this.early.size > MAX_EARLY) this.early.delete(this.early.keys().next().value as string);
  }
}
