import { unansweredEntries } from '@ballast/core';
import type { ControlView } from '../live/live-state';

/**
 * The kill switch as `/api/control` shows it: with each command, the expected services (GATEWAY_CONTROL_SERVICES)
 * that have not answered it, so a service that never took a kill is named rather than left out. Null when the
 * command in force came before this gateway was reading answers: who answered it is not known here.
 */
export function withUnanswered(control: ControlView, expected: readonly string[]) {
  const unanswered =
    control.commandId === null ? [] : control.acksSeen ? unansweredEntries(expected, control.acks) : null;
  const { ignored } = control;
  return {
    ...control,
    unanswered,
    ignored: ignored && { ...ignored, unanswered: unansweredEntries(expected, ignored.acks) },
  };
}
