import {
  type ControlAck,
  type Envelope,
  type KillCommand,
  type ResumeCommand,
  Subjects,
  subject,
} from '@ballast/contracts';
import { applyControl, derivedUuid, KILL_RELEASED, type KillState } from '@ballast/core';
import type { OrderSlice } from '@ballast/db';
import { LatestWriter } from '@ballast/service-kit';
import type { Cancels } from './cancels';
import type { Flatten } from './flatten';
import { type OrderContext, OrderPart } from './order-context';

/**
 * The kill switch: a kill stops entries (those planned are aborted, open orders cancelled, positions
 * flattened when asked), a resume lets them go again; each is stored, and acknowledged (`control.ack`).
 */
export class KillSwitch extends OrderPart {
  /** The kill switch as the last kill or resume applied set it; `killWriter` stores it. */
  private killState: KillState = KILL_RELEASED;
  private readonly killWriter: LatestWriter<KillState>;
  /** Kill commands seen: a direct order recorded before one is not sent (the kill would abort it). */
  private killsSeen = 0;

  constructor(
    ctx: OrderContext,
    private readonly cancels: Cancels,
    private readonly flattener: Flatten,
  ) {
    super(ctx);
    const { deps } = ctx;
    this.killWriter = new LatestWriter({
      write: (state) => deps.kill.save(state),
      failed: (err, failures) => {
        deps.log.error({ err, failures }, 'kill switch not stored: trying again');
        deps.metrics?.killSaveFailed();
      },
      random01: deps.random01,
    });
  }

  get killed(): boolean {
    return this.killState.engaged;
  }

  /** How many kills were seen: an order recorded under an older count was recorded before a kill. */
  get kills(): number {
    return this.killsSeen;
  }

  /** The switch as last stored (on start). */
  async load(): Promise<void> {
    this.killState = await this.deps.kill.load();
  }

  /** A kill or resume still waiting for its write gives up: its message is delivered again. */
  async stop(): Promise<void> {
    await this.killWriter.stop();
  }

  /**
   * Kill: stop sending entries, abort those planned, cancel open orders, flatten when asked; then
   * acknowledge. Exits (reduce-only: a TWAP's later exit slices, a close queued) still go out. The kill
   * is in force at once and stored meanwhile: a store that does not answer delays the record, never the
   * kill. Its message is acknowledged once stored, or once a command given later is applied (whose
   * message then waits), so a restart before then has it delivered again. A kill given before the
   * command in force changes nothing (applyControl).
   */
  async onKill(message: Envelope<KillCommand>): Promise<void> {
    const command = message.payload;
    const { applied, state } = applyControl(
      this.killState,
      { kind: 'kill', id: message.id, at: message.eventTime, kill: command },
      this.deps.clock.now(),
    );
    if (!applied) return this.ackOutdated('kill', message);
    this.killsSeen++;
    this.killState = state;
    const stored = this.killWriter.set(state);
    // Awaited below; until then a failure of the work in between must not leave it unhandled.
    stored.catch(() => undefined);
    const { detail, flat } = await this.ctx.serial.run(async () => {
      this.deps.log.info({ command }, 'kill switch engaging');
      const aborted = await this.abortEntriesLeft();
      const cancelled = await this.cancels.cancelOpen(`kill switch: ${command.reason}`);
      const flattened = command.flatten
        ? await this.flattener.flatten(message)
        : { text: 'not asked to flatten', flat: null };
      return {
        detail: `aborted ${aborted} planned slices, cancelled ${cancelled} open orders; ${flattened.text}`,
        flat: flattened.flat,
      };
    });
    await this.ack('kill', message, true, detail, flat);
    await stored;
  }

  /** Resume, unless a kill given after it is in force; stored as a kill is. */
  async onResume(message: Envelope<ResumeCommand>): Promise<void> {
    const command = { kind: 'resume', id: message.id, at: message.eventTime } as const;
    const resumed = await this.ctx.serial.run(async () => {
      if (this.killed) await this.abortEntriesLeft();
      // Decided after the abort: a kill may have come in meanwhile.
      const { applied, state } = applyControl(this.killState, command, this.deps.clock.now());
      if (applied) this.killState = state;
      return applied;
    });
    if (!resumed) return this.ackOutdated('resume', message);
    // The switch as it is now: a kill applied since the resume is not overwritten.
    await Promise.all([
      this.killWriter.set(this.killState),
      this.ack('resume', message, false, 'accepting orders again'),
    ]);
  }

  private ackOutdated(command: ControlAck['command'], cause: Envelope<unknown>): Promise<void> {
    const { engaged, commandId } = this.killState;
    return this.ack(
      command,
      cause,
      engaged,
      `not applied: command ${commandId}, given after it, is in force`,
    );
  }

  /**
   * Slices the kill keeps from the venue, each announced `cancelled` (reason kill_switch, what it
   * filled so far) and then recorded aborted: risk frees the room their entry held, at once rather
   * than when its reservation lapses. Announced first, so an abort cut short (a crash, a failed write)
   * leaves the slice planned, or sending, for the next step to finish: the kill redelivered, the start
   * while the kill is engaged, the resume. A repeat carries the same id as the first announcement (and
   * as a venue's cancel of the order would), so it is counted once.
   */
  async abortUnsent(slices: readonly OrderSlice[], detail: string): Promise<number> {
    await this.ctx.cancelUnsent(slices, 'kill_switch', detail);
    return slices.length;
  }

  /**
   * While the kill is engaged no entry waits to be sent: the kill aborts those planned, and one still
   * planned later was recorded before the kill and missed by its abort (planned while the kill came in,
   * found mid-send at a restart, or its abort cut short). Exits stay: the loop sends them during a kill.
   */
  async abortEntriesLeft(): Promise<number> {
    const planned = await this.deps.slices.withStatus(['planned']);
    const entries = planned.filter((s) => !s.reduceOnly);
    return this.abortUnsent(entries, `kill switch: ${this.killState.reason ?? 'engaged'}`);
  }

  private async ack(
    command: ControlAck['command'],
    cause: Envelope<unknown>,
    engaged: boolean,
    detail: string,
    flat: boolean | null = null,
  ): Promise<void> {
    await this.deps.bus.publish(
      subject(Subjects.controlAck, {}),
      {
        service: this.ctx.service,
        exchange: this.deps.venue.id,
        command,
        commandId: cause.id,
        engaged,
        detail,
        flat,
      },
      // One ack per trading account's orders service: each answers the same kill.
      { causedBy: cause, id: derivedUuid('ack', this.ctx.service, this.deps.venue.id, cause.id) },
    );
  }
}
