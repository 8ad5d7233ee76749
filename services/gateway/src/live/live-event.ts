import type {
  Alert,
  Candle,
  ControlAck,
  Envelope,
  KillCommand,
  OrderEvent,
  PositionEvent,
  ResumeCommand,
  SignalCandidate,
  SignalDecision,
  StopEvent,
  Trade,
} from '@ballast/contracts';

/**
 * One bus message as the gateway passes it on (SSE, and any later consumer such as a Telegram bot):
 * the family's short name, the envelope header fields that trace it, and the payload.
 */
export type LiveEvent =
  | Tagged<'position', PositionEvent>
  | Tagged<'order', OrderEvent>
  | Tagged<'stop', StopEvent>
  | Tagged<'price', Pick<Trade, 'exchange' | 'symbol' | 'price'>>
  | Tagged<'candle', Candle>
  | Tagged<'candidate', SignalCandidate>
  | Tagged<'decision', SignalDecision>
  | Tagged<'kill', KillCommand>
  | Tagged<'resume', ResumeCommand>
  | Tagged<'ack', ControlAck>
  | Tagged<'alert', Alert>;

interface Tagged<K extends string, T> {
  kind: K;
  id: string;
  correlationId: string;
  time: number;
  data: T;
}

export type LiveEventKind = LiveEvent['kind'];

export function liveEvent<K extends LiveEventKind>(
  kind: K,
  envelope: Envelope<unknown>,
  data: Extract<LiveEvent, { kind: K }>['data'],
): LiveEvent {
  return {
    kind,
    id: envelope.id,
    correlationId: envelope.correlationId,
    time: envelope.eventTime,
    data,
  } as LiveEvent;
}

export type LiveListener = (event: LiveEvent) => void;
