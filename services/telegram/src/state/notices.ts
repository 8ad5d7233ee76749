import type {
  Alert,
  FeedStatus,
  KillCommand,
  PositionEvent,
  ReconEvent,
  ReconStatus,
  ResumeCommand,
  StopEvent,
} from '@ballast/contracts';
import type { KillState, Notice } from '@ballast/core';
import { num, signed } from './format';

/**
 * Bus messages as the operator reads them. Each returns null for what is not worth a message.
 * Kinds name the group a line is counted under when a storm is folded into one message.
 */
export function positionNotice(p: PositionEvent, at: number): Notice | null {
  const who = p.strategy ? ` (${p.strategy})` : '';
  if (p.status === 'opened')
    return {
      kind: 'entry',
      severity: 'info',
      text: `Entry: ${p.side} ${num(p.qty)} ${p.symbol} @ ${num(p.avgEntry)} on ${p.exchange}${who}`,
      at,
    };
  if (p.status === 'closed')
    return {
      kind: 'exit',
      severity: 'info',
      text: `Exit: ${p.side} ${p.symbol} closed${tradeResult(p)}${who}`,
      at,
    };
  return null;
}

/**
 * The closed trade's own result, net of its fees. The position's running figures span every trade the
 * market ever had, so an event without the trade's own says nothing rather than a wrong figure.
 */
function tradeResult(p: PositionEvent): string {
  if (!p.trade) return '';
  return `, P&L ${signed(p.trade.realizedPnl - p.trade.fees)} (fees ${num(p.trade.fees)})`;
}

export function stopNotice(s: StopEvent, at: number): Notice | null {
  const where = `${s.symbol} on ${s.exchange}`;
  if (s.kind === 'triggered')
    return {
      kind: 'stop hit',
      severity: 'warning',
      text: `Stop hit: ${where}${s.stopPrice === null ? '' : ` at ${num(s.stopPrice)}`}, qty ${num(s.qty)}`,
      at,
    };
  if (s.kind === 'take_profit')
    return {
      kind: 'take-profit hit',
      severity: 'info',
      text: `Take-profit hit: ${where}, qty ${num(s.qty)}${s.detail ? ` (${s.detail})` : ''}`,
      at,
    };
  if (s.kind === 'failed')
    return { kind: 'stop failed', severity: 'critical', text: `Stop failed: ${where}: ${s.detail}`, at };
  return null;
}

/** A kill seen on the bus: asked for, not yet done (the services' answers tell that, ControlAnswers). */
export function killNotice(k: KillCommand, at: number): Notice {
  return {
    kind: 'kill switch',
    severity: 'critical',
    text: `Kill requested${k.flatten ? ' with flatten' : ''} by ${k.requestedBy}: ${k.reason}`,
    at,
  };
}

/** A resume seen on the bus that the switch takes; done once the services answer (ControlAnswers). */
export function resumeNotice(r: ResumeCommand, at: number): Notice {
  return {
    kind: 'kill switch',
    severity: 'warning',
    text: `Resume requested by ${r.requestedBy}${r.reason ? `: ${r.reason}` : ''}`,
    at,
  };
}

/** A resume given before the kill in force: the services leave the switch engaged, so must the chat. */
export function resumeIgnoredNotice(r: ResumeCommand, inForce: KillState, at: number): Notice {
  const kill = inForce.requestedBy ? ` (by ${inForce.requestedBy}: ${inForce.reason})` : '';
  return {
    kind: 'kill switch',
    severity: 'critical',
    text: `Resume by ${r.requestedBy} ignored: a later kill is in force${kill}. The kill switch stays ENGAGED.`,
    at,
  };
}

/** Service alerts (stops that cannot close, drift repairs, breakers, …) keep their own kind and severity. */
export function alertNotice(a: Alert, at: number): Notice {
  const from = a.labels.service ? ` [${a.labels.service}]` : '';
  return { kind: a.kind, severity: a.severity, text: `${a.kind}${from}: ${a.message}`, at };
}

const BAD_FEED = new Set<FeedStatus['state']>(['stale', 'down']);

/** A feed going stale or down, and coming back; the states between (reconnecting, …) stay quiet. */
export function feedNotice(
  before: FeedStatus['state'] | undefined,
  s: FeedStatus,
  at: number,
): Notice | null {
  const what = `${s.exchange}${s.symbol ? ` ${s.symbol}` : ''}`;
  if (BAD_FEED.has(s.state) && before !== s.state)
    return {
      kind: 'stale feed',
      severity: 'warning',
      text: `Feed ${s.state}: ${what}${s.reason ? ` (${s.reason})` : ''}`,
      at,
    };
  if (s.state === 'live' && before !== undefined && BAD_FEED.has(before))
    return { kind: 'feed back', severity: 'info', text: `Feed live again: ${what}`, at };
  return null;
}

export function reconEventNotice(e: ReconEvent, at: number): Notice | null {
  if (e.kind === 'clean') return null;
  if (e.kind === 'unknown')
    return {
      kind: 'reconciliation unknown',
      severity: 'warning',
      // The evidence says what failed: the venue's read, a refusal to compare, or the run itself.
      text: `Reconciliation of ${e.venue} compared nothing: ${e.evidence}`,
      at,
    };
  return {
    kind: 'reconciliation drift',
    severity: 'warning',
    text: `Reconciliation drift on ${e.venue} (${e.kind}): ${e.evidence}`,
    at,
  };
}

export function reconStatusNotice(
  before: ReconStatus['status'] | undefined,
  s: ReconStatus,
  at: number,
): Notice | null {
  if (s.status === before) return null;
  if (s.status === 'reconciled')
    return before === undefined
      ? null
      : { kind: 'reconciliation', severity: 'info', text: `${s.venue} reconciled again`, at };
  return {
    kind: 'reconciliation',
    severity: 'critical',
    text: `${s.venue} ${s.status}: ${s.drifts} drift(s), new entries blocked${s.detail ? ` (${s.detail})` : ''}`,
    at,
  };
}
