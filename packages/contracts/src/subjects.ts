import type { z } from 'zod';
import { ConfigChanged } from './config';
import {
  Alert,
  ControlAck,
  ControlState,
  ControlStateRequest,
  DeadLetter,
  KillCommand,
  ReconEvent,
  ReconRequest,
  ReconStatus,
  ResumeCommand,
} from './control';
import { FeatureVector } from './features';
import { BookUpdate, Candle, FeedStatus, Trade } from './market-data';
import { OrderCommand, OrderEvent, PositionEvent, StopEvent } from './orders';
import { RiskDecision } from './risk';
import { SignalCandidate, SignalDecision } from './signals';

export const SERVICES = [
  'market-data',
  'features',
  'signals',
  'risk',
  'orders',
  'stops',
  'reconciliation',
  'gateway',
  'telegram',
  'cli',
] as const;
export type ServiceName = (typeof SERVICES)[number];

/**
 * A family of subjects sharing one schema, e.g. `md.candle.{exchange}.{symbol}.{timeframe}`.
 * Producers and consumers are declared here so NATS permissions are derived, never written by hand.
 */
export interface SubjectFamily<T, K extends string = string> {
  readonly name: string;
  readonly type: string;
  readonly version: number;
  readonly tokens: readonly K[];
  readonly schema: z.ZodType<T>;
  readonly stream: string;
  readonly producers: readonly ServiceName[];
  readonly consumers: readonly ServiceName[];
}

/** A concrete subject bound to its family, so a payload of the wrong type does not compile. */
export interface Subject<T> {
  readonly family: SubjectFamily<T>;
  readonly value: string;
}

/** A subscription filter within one family; `*` stands for any token. */
export interface SubjectPattern<T> {
  readonly family: SubjectFamily<T>;
  readonly value: string;
}

function family<T, K extends string>(def: SubjectFamily<T, K>): SubjectFamily<T, K> {
  return Object.freeze(def);
}

const ALL: readonly ServiceName[] = SERVICES;

export const Subjects = {
  candle: family({
    name: 'md.candle',
    type: 'CandleClosed',
    version: 1,
    tokens: ['exchange', 'symbol', 'timeframe'],
    schema: Candle,
    stream: 'MD_CANDLE',
    producers: ['market-data'],
    consumers: ['features', 'signals', 'orders', 'stops', 'gateway'],
  }),
  trade: family({
    name: 'md.trade',
    type: 'TradeReceived',
    version: 1,
    tokens: ['exchange', 'symbol'],
    schema: Trade,
    stream: 'MD_TRADE',
    producers: ['market-data'],
    consumers: ['orders', 'stops', 'gateway'],
  }),
  book: family({
    name: 'md.book',
    type: 'BookUpdated',
    version: 1,
    tokens: ['exchange', 'symbol'],
    schema: BookUpdate,
    stream: 'MD_BOOK',
    producers: ['market-data'],
    consumers: ['risk', 'orders', 'stops', 'gateway'],
  }),
  feedStatus: family({
    name: 'md.status',
    type: 'FeedStatusChanged',
    version: 1,
    tokens: ['exchange'],
    schema: FeedStatus,
    stream: 'MD_STATUS',
    producers: ['market-data'],
    consumers: ['features', 'signals', 'risk', 'orders', 'stops', 'gateway', 'telegram'],
  }),
  features: family({
    name: 'feat',
    type: 'FeaturesComputed',
    version: 1,
    tokens: ['exchange', 'symbol', 'timeframe'],
    schema: FeatureVector,
    stream: 'FEAT',
    producers: ['features'],
    consumers: ['signals', 'risk', 'gateway'],
  }),
  signalCandidate: family({
    name: 'sig.candidate',
    type: 'SignalProposed',
    version: 1,
    tokens: [],
    schema: SignalCandidate,
    stream: 'SIG',
    producers: ['signals'],
    consumers: ['gateway'],
  }),
  signalDecision: family({
    name: 'sig.decision',
    type: 'SignalDecided',
    version: 1,
    tokens: [],
    schema: SignalDecision,
    stream: 'SIG',
    producers: ['signals'],
    consumers: ['risk', 'gateway'],
  }),
  riskDecision: family({
    name: 'risk.decision',
    type: 'RiskDecided',
    version: 1,
    tokens: [],
    schema: RiskDecision,
    stream: 'RISK',
    producers: ['risk'],
    consumers: ['orders', 'stops', 'gateway', 'telegram'],
  }),
  orderCommand: family({
    name: 'ord.cmd',
    type: 'OrderCommanded',
    version: 1,
    tokens: [],
    schema: OrderCommand,
    stream: 'ORD',
    producers: ['risk', 'stops', 'reconciliation'],
    consumers: ['orders'],
  }),
  orderEvent: family({
    name: 'ord.event',
    type: 'OrderUpdated',
    version: 1,
    tokens: [],
    schema: OrderEvent,
    stream: 'ORD',
    producers: ['orders', 'reconciliation'],
    consumers: ['risk', 'stops', 'reconciliation', 'gateway'],
  }),
  positionEvent: family({
    name: 'pos.event',
    type: 'PositionUpdated',
    version: 1,
    tokens: [],
    schema: PositionEvent,
    stream: 'POS',
    producers: ['orders', 'reconciliation'],
    consumers: ['risk', 'stops', 'signals', 'gateway', 'telegram'],
  }),
  stopEvent: family({
    name: 'stop.event',
    type: 'StopUpdated',
    version: 1,
    tokens: [],
    schema: StopEvent,
    stream: 'STOP',
    producers: ['stops'],
    consumers: ['risk', 'reconciliation', 'gateway', 'telegram'],
  }),
  reconEvent: family({
    name: 'recon.event',
    type: 'Reconciled',
    version: 1,
    tokens: [],
    schema: ReconEvent,
    stream: 'RECON',
    producers: ['reconciliation'],
    consumers: ['risk', 'stops', 'gateway', 'telegram'],
  }),
  reconStatus: family({
    name: 'recon.status',
    type: 'VenueReconciliationChanged',
    version: 1,
    tokens: ['exchange'],
    schema: ReconStatus,
    stream: 'RECON',
    producers: ['reconciliation'],
    consumers: ['risk', 'gateway', 'cli', 'telegram'],
  }),
  reconRequest: family({
    name: 'recon.request',
    type: 'ReconciliationRequested',
    version: 1,
    tokens: [],
    schema: ReconRequest,
    stream: 'RECON',
    producers: ['cli', 'gateway', 'stops'],
    consumers: ['reconciliation'],
  }),
  kill: family({
    name: 'control.kill',
    type: 'KillSwitchEngaged',
    version: 1,
    tokens: [],
    schema: KillCommand,
    stream: 'CONTROL',
    producers: ['cli', 'gateway', 'telegram'],
    consumers: ALL,
  }),
  resume: family({
    name: 'control.resume',
    type: 'KillSwitchLifted',
    version: 1,
    tokens: [],
    schema: ResumeCommand,
    stream: 'CONTROL',
    producers: ['cli', 'gateway', 'telegram'],
    consumers: ALL,
  }),
  controlAck: family({
    name: 'control.ack',
    type: 'ControlAcknowledged',
    version: 1,
    tokens: [],
    schema: ControlAck,
    stream: 'CONTROL',
    producers: ALL,
    consumers: ['cli', 'gateway', 'stops', 'telegram'],
  }),
  configChanged: family({
    name: 'config.changed',
    type: 'ConfigChanged',
    version: 1,
    tokens: [],
    schema: ConfigChanged,
    stream: 'CONFIG',
    producers: ['gateway', 'cli'],
    consumers: ['risk', 'signals'],
  }),
  alert: family({
    name: 'alert',
    type: 'AlertRaised',
    version: 1,
    tokens: [],
    schema: Alert,
    stream: 'ALERT',
    producers: ALL,
    consumers: ['gateway', 'telegram'],
  }),
} as const;

/** Rejects: `dlq.<original subject>`, in their own stream. */
export const DeadLetters = family({
  name: 'dlq',
  type: 'MessageRejected',
  version: 1,
  tokens: [],
  schema: DeadLetter,
  stream: 'DLQ',
  producers: ALL,
  consumers: ['gateway', 'cli'],
});

export type AnySubjectFamily = (typeof Subjects)[keyof typeof Subjects];

/** Every JetStream stream and the subjects it captures (relative to a deployment prefix). */
export const STREAMS: ReadonlyArray<{ name: string; subjects: string[]; maxAgeMs: number; maxMsgs: number }> =
  [
    { name: 'MD_CANDLE', subjects: ['md.candle.>'], maxAgeMs: 7 * 86_400_000, maxMsgs: 5_000_000 },
    { name: 'MD_TRADE', subjects: ['md.trade.>'], maxAgeMs: 3_600_000, maxMsgs: 5_000_000 },
    { name: 'MD_BOOK', subjects: ['md.book.>'], maxAgeMs: 600_000, maxMsgs: 5_000_000 },
    { name: 'MD_STATUS', subjects: ['md.status.>'], maxAgeMs: 86_400_000, maxMsgs: 100_000 },
    { name: 'FEAT', subjects: ['feat.>'], maxAgeMs: 86_400_000, maxMsgs: 1_000_000 },
    { name: 'SIG', subjects: ['sig.>'], maxAgeMs: 30 * 86_400_000, maxMsgs: 1_000_000 },
    { name: 'RISK', subjects: ['risk.>'], maxAgeMs: 30 * 86_400_000, maxMsgs: 1_000_000 },
    { name: 'ORD', subjects: ['ord.>'], maxAgeMs: 30 * 86_400_000, maxMsgs: 1_000_000 },
    { name: 'POS', subjects: ['pos.>'], maxAgeMs: 30 * 86_400_000, maxMsgs: 1_000_000 },
    { name: 'STOP', subjects: ['stop.>'], maxAgeMs: 30 * 86_400_000, maxMsgs: 1_000_000 },
    { name: 'RECON', subjects: ['recon.>'], maxAgeMs: 30 * 86_400_000, maxMsgs: 1_000_000 },
    { name: 'CONTROL', subjects: ['control.>'], maxAgeMs: 365 * 86_400_000, maxMsgs: 100_000 },
    { name: 'CONFIG', subjects: ['config.>'], maxAgeMs: 365 * 86_400_000, maxMsgs: 100_000 },
    { name: 'ALERT', subjects: ['alert'], maxAgeMs: 30 * 86_400_000, maxMsgs: 100_000 },
    { name: 'DLQ', subjects: ['dlq.>'], maxAgeMs: 30 * 86_400_000, maxMsgs: 1_000_000 },
  ];

const TOKEN = /^[A-Za-z0-9_-]+$/;

function checkToken(family: string, name: string, value: string): string {
  if (!TOKEN.test(value)) throw new Error(`invalid ${name} token "${value}" for subject family ${family}`);
  return value;
}

/** Builds a concrete subject; every token is required and must be a plain NATS token. */
export function subject<T, K extends string>(
  fam: SubjectFamily<T, K>,
  tokens: Record<K, string>,
): Subject<T> {
  // Built by concatenation: every replayed candle builds a few subjects.
  let value = fam.name;
  for (const k of fam.tokens) value += `.${checkToken(fam.name, k, tokens[k])}`;
  return { family: fam as SubjectFamily<T>, value };
}

/** Builds a filter: omitted tokens match anything (`*`). */
export function pattern<T, K extends string>(
  fam: SubjectFamily<T, K>,
  tokens: Partial<Record<K, string>> = {},
): SubjectPattern<T> {
  const parts = fam.tokens.map((k) => {
    const v = tokens[k];
    return v === undefined ? '*' : checkToken(fam.name, k, v);
  });
  return { family: fam as SubjectFamily<T>, value: [fam.name, ...parts].join('.') };
}

/** The DLQ subject for a rejected message on `subjectValue`. */
export function deadLetterSubject(subjectValue: string): Subject<DeadLetter> {
  return { family: DeadLetters, value: `dlq.${subjectValue}` };
}

/** Finds the family a concrete subject string belongs to (longest name first). */
export function familyOf(subjectValue: string): SubjectFamily<unknown> | undefined {
  const all: SubjectFamily<unknown>[] = [...Object.values(Subjects), DeadLetters] as SubjectFamily<unknown>[];
  return all
    .filter((f) => subjectValue === f.name || subjectValue.startsWith(`${f.name}.`))
    .sort((a, b) => b.name.length - a.name.length)[0];
}

/** True when a NATS-style pattern (`*`, trailing `>`) matches a subject. */
export function subjectMatches(patternValue: string, subjectValue: string): boolean {
  const p = patternValue.split('.');
  const s = subjectValue.split('.');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '>') return s.length > i;
    if (i >= s.length) return false;
    if (p[i] !== '*' && p[i] !== s[i]) return false;
  }
  return p.length === s.length;
}

/** Request/reply endpoints: core NATS, kept outside every stream so no PubAck answers them. */
export interface RpcEndpoint<Req, Res> {
  readonly subject: string;
  readonly request: z.ZodType<Req>;
  readonly response: z.ZodType<Res>;
}

export const Rpc = {
  controlState: {
    subject: 'rpc.control.state',
    request: ControlStateRequest,
    response: ControlState,
  } satisfies RpcEndpoint<z.infer<typeof ControlStateRequest>, z.infer<typeof ControlState>>,
} as const;
