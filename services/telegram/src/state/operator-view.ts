import type {
  Alert,
  Clock,
  DenyReason,
  FeedStatus,
  KillCommand,
  PositionEvent,
  ReconEvent,
  ReconStatus,
  ResumeCommand,
  RiskDecision,
  StopEvent,
} from '@ballast/contracts';
import { applyControl, KILL_RELEASED, type KillState, type Notice } from '@ballast/core';
import {
  alertNotice,
  feedNotice,
  killNotice,
  reconStatusNotice,
  resumeIgnoredNotice,
  resumeNotice,
} from './notices';
import { ReconDriftsTold } from './recon-drifts-told';

/** Denials that mean "no entries for a while", as opposed to one idea being refused. */
const HALT_REASONS: ReadonlySet<DenyReason> = new Set(['daily_loss', 'max_drawdown', 'loss_streak']);

export interface OpenPosition extends PositionEvent {
  updatedAt: number;
  stopPrice: number | null;
}

export interface Halt {
  reason: DenyReason;
  detail: string;
  since: number;
}

/**
 * What the bot knows from the bus: open positions and their stops, the kill switch, risk halts, feeds
 * in trouble and venues' reconciliation. Pure: handlers pass payloads and times in, and the methods
 * that see a change worth telling return the notice.
 */
export class OperatorView {
  readonly positions = new Map<string, OpenPosition>();
  private readonly stopPrices = new Map<string, number | null>();
  readonly halts = new Map<DenyReason, Halt>();
  readonly feeds = new Map<string, FeedStatus>();
  /** Feeds last reported stale or down, until they are live again (reconnecting in between). */
  private readonly troubledFeeds = new Map<string, FeedStatus['state']>();
  readonly recon = new Map<string, ReconStatus>();
  private readonly reconDrifts = new ReconDriftsTold();
  kill: KillState = KILL_RELEASED;

  /** `clock` is this bot's: commands apply at its time, as the services apply them at theirs. */
  constructor(private readonly clock: Clock) {}

  applyPosition(p: PositionEvent, at: number): void {
    if (p.status === 'closed') this.positions.delete(p.positionId);
    else
      this.positions.set(p.positionId, {
        ...p,
        updatedAt: at,
        stopPrice: this.stopPrices.get(p.positionId) ?? null,
      });
  }

  applyStop(s: StopEvent): void {
    const gone = s.kind === 'cancelled' || s.kind === 'triggered' || s.kind === 'flattened';
    const price = gone ? null : (s.stopPrice ?? this.stopPrices.get(s.positionId) ?? null);
    if (gone) this.stopPrices.delete(s.positionId);
    else this.stopPrices.set(s.positionId, price);
    const open = this.positions.get(s.positionId);
    if (open) open.stopPrice = price;
  }

  /**
   * Every kill and resume is told. A resume given before the kill in force leaves the switch as it is,
   * and is told as ignored: the services do not apply it either. Applied at this bot's time, so a
   * sender's fast clock cannot date a kill past the resumes that follow it (core clamps to `now`).
   */
  onKill(k: KillCommand, commandId: string, at: number): Notice {
    this.kill = applyControl(this.kill, { kind: 'kill', id: commandId, at, kill: k }, this.clock.now()).state;
    return killNotice(k, at);
  }

  onResume(r: ResumeCommand, commandId: string, at: number): Notice {
    const { applied, state } = applyControl(
      this.kill,
      { kind: 'resume', id: commandId, at },
      this.clock.now(),
    );
    if (!applied) return resumeIgnoredNotice(r, state, at);
    this.kill = state;
    return resumeNotice(r, at);
  }

  /** Every alert is told; risk's halt alert also marks the halt, so its first rejection is not told again. */
  onAlert(a: Alert, at: number): Notice {
    const reason = a.labels.halt as DenyReason | undefined;
    if (a.kind === 'risk_halt' && reason && HALT_REASONS.has(reason) && !this.halts.has(reason))
      this.halts.set(reason, { reason, detail: a.message, since: at });
    return alertNotice(a, at);
  }

  onRiskDecision(d: RiskDecision, at: number): Notice | null {
    if (d.approved) {
      if (this.halts.size === 0) return null;
      const lifted = [...this.halts.keys()].join(', ');
      this.halts.clear();
      return {
        kind: 'halt',
        severity: 'info',
        text: `Risk approves entries again (was halted: ${lifted})`,
        at,
      };
    }
    if (!HALT_REASONS.has(d.reason) || this.halts.has(d.reason)) return null;
    this.halts.set(d.reason, { reason: d.reason, detail: d.detail, since: at });
    return {
      kind: 'halt',
      severity: 'critical',
      text: `Entries halted by risk: ${d.reason.replace('_', ' ')} (${d.detail || `${d.value} vs limit ${d.limit}`})`,
      at,
    };
  }

  onFeed(s: FeedStatus, at: number): Notice | null {
    const key = `${s.exchange}:${s.symbol ?? '*'}`;
    const before = this.troubledFeeds.get(key);
    if (s.state === 'live') this.feeds.delete(key);
    else this.feeds.set(key, s);
    if (s.state === 'live') this.troubledFeeds.delete(key);
    else if (s.state === 'stale' || s.state === 'down') this.troubledFeeds.set(key, s.state);
    return feedNotice(before, s, at);
  }

  /** A drift reconciliation found: told the first time, not again on each run it persists. */
  onReconEvent(e: ReconEvent, at: number): Notice | null {
    return this.reconDrifts.notice(e, at);
  }

  onReconStatus(s: ReconStatus, at: number): Notice | null {
    const before = this.recon.get(s.venue)?.status;
    this.recon.set(s.venue, s);
    return reconStatusNotice(before, s, at);
  }

  /** Feeds currently stale or down (the states an operator must act on). */
  badFeeds(): FeedStatus[] {
    return [...this.feeds.values()].filter((f) => f.state === 'stale' || f.state === 'down');
  }
}
