import { h } from '../dom';
import type { Json } from './ui';

/** `service@exchange`, or the bare service for an ack from a producer that does not name its venue. */
const who = (a: Json): string => (a.exchange ? `${a.service}@${a.exchange}` : a.service);

/**
 * One service's answer to a kill or resume. A flatten that left a position open, or a command the
 * service did not apply (its switch is not what was asked), is ✗ with the service's detail: the CLI
 * exits non-zero on both, and the dashboard must not call them done.
 */
export function ackLine(a: Json): HTMLElement {
  const wrong = a.flat === false ? 'NOT flat' : a.engaged !== (a.command === 'kill') ? 'not applied' : null;
  // Risk's refusal already begins "not applied: ...".
  const why = wrong && (a.detail.startsWith(wrong) ? a.detail : `${wrong}: ${a.detail}`);
  const text = why ? `${who(a)} ✗ ${why}` : `${who(a)} ✓`;
  return h('div', { class: why ? 'down' : 'up', 'data-testid': `ack-${who(a)}` }, text);
}

/**
 * The expected services that have not answered a command: named, ✗, so a kill one service never took does
 * not read as done from the answers of the others.
 */
export function unansweredLine(unanswered: string[] | null, testId: string): HTMLElement | null {
  if (unanswered === null)
    return h(
      'div',
      { 'data-testid': testId },
      'answers not seen: the command came before the gateway started',
    );
  if (unanswered.length === 0) return null;
  return h('div', { class: 'down', 'data-testid': testId }, `no answer yet from ${unanswered.join(', ')} ✗`);
}

/** The acks of the command in force, and of a later one the switch did not take, with who has not answered. */
export function controlAcks(control: Json): HTMLElement {
  const ignored = control.ignored;
  return h(
    'small',
    { 'data-testid': 'kill-acks' },
    ...control.acks.map(ackLine),
    control.commandId ? unansweredLine(control.unanswered, 'kill-unanswered') : null,
    ignored
      ? h(
          'div',
          { class: 'error', 'data-testid': 'kill-ignored' },
          `${ignored.command} by ${ignored.requestedBy} was not applied: a later command is in force`,
          ...ignored.acks.map(ackLine),
          unansweredLine(ignored.unanswered, 'ignored-unanswered'),
        )
      : null,
  );
}
