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

/** The acks of the command in force, and of a later one the switch did not take. */
export function controlAcks(control: Json): HTMLElement {
  const ignored = control.ignored;
  return h(
    'small',
    { 'data-testid': 'kill-acks' },
    ...control.acks.map(ackLine),
    ignored
      ? h(
          'div',
          { class: 'error', 'data-testid': 'kill-ignored' },
          `${ignored.command} by ${ignored.requestedBy} was not applied: a later command is in force`,
          ...ignored.acks.map(ackLine),
        )
      : null,
  );
}
