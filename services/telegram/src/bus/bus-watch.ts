import type { Bus, Subscription } from '@ballast/bus';
import type { Clock } from '@ballast/contracts';
import {
  type AnySubjectFamily,
  type Envelope,
  pattern,
  type Subject,
  type SubjectPattern,
  Subjects,
  subject,
} from '@ballast/contracts';
import type { Notice } from '@ballast/core';
import type { ControlAnswers } from '../state/control-answers';
import { positionNotice, stopNotice } from '../state/notices';
import type { OperatorView } from '../state/operator-view';
import type { DurableRef } from './durables';

export interface BusWatchDeps {
  bus: Bus;
  view: OperatorView;
  /** The services' answers to each kill and resume. */
  answers: ControlAnswers;
  clock: Clock;
  notify: (notice: Notice | null) => void;
  /** Unique to this process: names the durables that replay positions and stops into the view. */
  instance: string;
}

/**
 * Two kinds of subscription. Positions and stops are replayed from the start of their streams into
 * the view under durables of this instance (deleted when it stops), so /positions is right after a
 * restart. Everything that alerts is read under shared `telegram-*` durables from the moment they
 * were first made, so what happened while the bot was down is still told when it comes back.
 */
export class BusWatch {
  private readonly subscriptions: Subscription[] = [];
  /** Durables that belong to this instance only. */
  readonly ownDurables: DurableRef[] = [];

  constructor(private readonly deps: BusWatchDeps) {}

  async start(): Promise<void> {
    const { view, answers, clock, notify } = this.deps;
    await this.own(subject(Subjects.positionEvent, {}), 'pos', (m) =>
      view.applyPosition(m.payload, m.eventTime),
    );
    await this.own(subject(Subjects.stopEvent, {}), 'stop', (m) => view.applyStop(m.payload));
    await this.shared(subject(Subjects.positionEvent, {}), 'pos', (m) =>
      notify(positionNotice(m.payload, m.eventTime)),
    );
    await this.shared(subject(Subjects.stopEvent, {}), 'stop', (m) =>
      notify(stopNotice(m.payload, m.eventTime)),
    );
    await this.shared(subject(Subjects.kill, {}), 'kill', (m) => {
      notify(view.onKill(m.payload, m.id, m.eventTime));
      notify(answers.onCommand('kill', m.id, m.payload.requestedBy, clock.now()));
    });
    await this.shared(subject(Subjects.resume, {}), 'resume', (m) => {
      notify(view.onResume(m.payload, m.id, m.eventTime));
      notify(answers.onCommand('resume', m.id, m.payload.requestedBy, clock.now()));
    });
    await this.shared(subject(Subjects.controlAck, {}), 'ack', (m) =>
      notify(answers.onAck(m.payload, clock.now())),
    );
    await this.shared(subject(Subjects.alert, {}), 'alert', (m) =>
      notify(view.onAlert(m.payload, m.eventTime)),
    );
    await this.shared(pattern(Subjects.feedStatus), 'md-status', (m) =>
      notify(view.onFeed(m.payload, m.eventTime)),
    );
    await this.shared(subject(Subjects.reconEvent, {}), 'recon-event', (m) =>
      notify(view.onReconEvent(m.payload, m.eventTime)),
    );
    await this.shared(pattern(Subjects.reconStatus), 'recon-status', (m) =>
      notify(view.onReconStatus(m.payload, m.eventTime)),
    );
    await this.shared(subject(Subjects.riskDecision, {}), 'risk', (m) =>
      notify(view.onRiskDecision(m.payload, m.eventTime)),
    );
  }

  async stop(): Promise<void> {
    for (const s of this.subscriptions.splice(0)) await s.stop();
  }

  private async own<T>(on: Subject<T>, name: string, handle: (m: Envelope<T>) => void): Promise<void> {
    const durable = `telegram-${this.deps.instance}-${name}`;
    this.ownDurables.push({ durable, family: on.family as AnySubjectFamily });
    this.subscriptions.push(await this.deps.bus.subscribe(on, handle, { durable, deliverFrom: 'all' }));
  }

  private async shared<T>(
    on: SubjectPattern<T>,
    name: string,
    handle: (m: Envelope<T>) => void,
  ): Promise<void> {
    this.subscriptions.push(
      await this.deps.bus.subscribe(on, handle, { durable: `telegram-alerts-${name}`, deliverFrom: 'new' }),
    );
  }
}
