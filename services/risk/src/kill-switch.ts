import { type Envelope, type KillCommand, type ResumeCommand, Subjects, subject } from '@ballast/contracts';
import {
  applyControl,
  applyKillState,
  applyResume,
  type ControlCommand,
  derivedUuid,
  KILL_RELEASED,
  type KillState,
  type RiskState,
} from '@ballast/core';
import { LatestWriter } from '@ballast/service-kit';
import type { Halts } from './halts';
import { type RiskContext, RiskPart } from './risk-context';

/**
 * The operator's kill switch as risk holds it: loaded at start, set by each kill and resume in force at
 * once, stored after, and every command acknowledged on `control.ack`.
 */
export class KillSwitch extends RiskPart {
  /** The kill switch as the last kill or resume applied set it; `writer` stores it. */
  private killSwitch: KillState = KILL_RELEASED;
  private readonly writer = new LatestWriter<KillState>({
    write: (state) => this.deps.kill.save(state),
    failed: (err, failures) => {
      const { log } = this.deps;
      if (log.error) log.error({ err, failures }, 'kill switch not stored: trying again');
      else log.warn({ err, failures }, 'kill switch not stored: trying again');
      this.deps.killSaveFailed?.();
    },
    // Jitter only: when the next try goes, never what is decided.
    random01: Math.random,
  });

  constructor(
    ctx: RiskContext,
    private readonly halts: Halts,
  ) {
    super(ctx);
  }

  /** The kill switch as stored before the restart, in force at once. */
  async load(now: number): Promise<void> {
    this.killSwitch = await this.deps.kill.load();
    this.ctx.state = applyKillState(this.ctx.state, this.killSwitch, now);
  }

  /** A kill or resume still waiting for its write gives up: its message is delivered again. */
  stop(): Promise<void> {
    return this.writer.stop();
  }

  onKill(message: Envelope<KillCommand>): Promise<void> {
    const { id, eventTime: at, payload: kill } = message;
    return this.onControl(message, { kind: 'kill', id, at, kill });
  }

  /**
   * Lifts the kill switch, and the drawdown halt when the resume asks (`clearDrawdown`); the baseline
   * is stored before the acknowledgement, so a restart after it does not bring the halt back.
   */
  onResume(message: Envelope<ResumeCommand>): Promise<void> {
    const command: ControlCommand = { kind: 'resume', id: message.id, at: message.eventTime };
    return this.onControl(message, command, message.payload.clearDrawdown === true);
  }

  /**
   * A kill or resume is in force at once, then stored: a store that does not answer delays the record,
   * never the switch. Its message is acknowledged once stored, or once a command given later is applied
   * (whose message then waits), so a restart before then has it delivered again. One given before the
   * command in force changes nothing (applyControl), a drawdown halt it asks to clear included.
   */
  private async onControl(message: Envelope<unknown>, command: ControlCommand, clearDrawdown = false) {
    const now = this.deps.clock.now();
    const { applied, state } = applyControl(this.killSwitch, command, now);
    if (!applied) {
      const detail = `not applied: command ${state.commandId}, given after it, is in force`;
      await this.ack(command.kind, message, state.engaged, detail);
      return;
    }
    this.killSwitch = state;
    this.ctx.state = applyKillState(this.ctx.state, state, now);
    // Handed to the writer before any wait: a command applied meanwhile is written after this one.
    const stored = this.writer.set(state);
    let detail = state.engaged ? 'rejecting every new entry (kill_switch)' : 'evaluating entries again';
    if (command.kind === 'resume') {
      const halt = this.ctx.state.drawdownHalt;
      this.ctx.state = applyResume(this.ctx.state, { clearDrawdown });
      await this.halts.store();
      detail = resumeDetail(halt, clearDrawdown, this.ctx.state.peakEquity);
    }
    await Promise.all([stored, this.ack(command.kind, message, state.engaged, detail)]);
  }

  private async ack(command: 'kill' | 'resume', cause: Envelope<unknown>, engaged: boolean, detail: string) {
    await this.deps.bus.publish(
      subject(Subjects.controlAck, {}),
      { service: 'risk', exchange: this.deps.venue.id, command, commandId: cause.id, engaged, detail },
      // One ack per risk: each trading account's risk answers the same kill.
      { causedBy: cause, id: derivedUuid('ack', 'risk', this.deps.venue.id, cause.id) },
    );
  }
}

/** What a resume did, for the operator: a drawdown halt it left in place says how to lift it. */
function resumeDetail(halt: RiskState['drawdownHalt'], cleared: boolean, peak: number): string {
  if (!halt) return 'evaluating entries again';
  const since = new Date(halt.at).toISOString();
  if (cleared) return `evaluating entries again; drawdown halt since ${since} lifted, peak reset to ${peak}`;
  return `kill switch lifted; entries stay halted by the drawdown halt since ${since} (lift it with resume --clear-drawdown)`;
}
