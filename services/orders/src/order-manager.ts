import { type Subscription, UNTIL_CARRIED_OUT } from '@ballast/bus';
import { type Envelope, type OrderCommand, Subjects, subject } from '@ballast/contracts';
import { Cancels } from './cancels';
import { Delivery } from './delivery';
import { Flatten } from './flatten';
import { Intake } from './intake';
import { KillSwitch } from './kill-switch';
import { OrderContext, type OrderManagerDeps } from './order-context';
import { Positions } from './positions';
import { RecordedFills } from './recorded-fills';
import { Recovery } from './recovery';
import { Refusals } from './refusals';
import { SendLoop } from './send-loop';
import { VenueOrders } from './venue-orders';

export type { OrderManagerDeps } from './order-context';

/**
 * The order manager. Every order is recorded (planned) before the venue hears of it, under a client
 * order id derived from intent and slice; a loop sends due slices one at a time. After a crash, or a
 * send that got no answer, the order is looked up on the venue by client id before anything is re-sent.
 *
 * This file wires the parts and owns the serial chain's entry points: intake (decisions and submits),
 * the send loop and delivery, recovery of unknown outcomes, the venue's answers, recorded fills,
 * cancels, the kill switch and its flatten, and the positions our fills make.
 */
export class OrderManager {
  private readonly subs: Subscription[] = [];
  private timer: NodeJS.Timeout | undefined;
  private ticking = false;
  private tickAgain = false;
  private readonly ctx: OrderContext;
  private readonly positions: Positions;
  private readonly venueOrders: VenueOrders;
  private readonly recordedFills: RecordedFills;
  private readonly cancels: Cancels;
  private readonly recovery: Recovery;
  private readonly delivery: Delivery;
  private readonly killSwitch: KillSwitch;
  private readonly intake: Intake;
  private readonly loop: SendLoop;

  constructor(deps: OrderManagerDeps) {
    this.ctx = new OrderContext(deps);
    this.positions = new Positions(this.ctx);
    this.venueOrders = new VenueOrders(this.ctx, this.positions);
    this.recordedFills = new RecordedFills(this.ctx, this.positions);
    this.cancels = new Cancels(this.ctx, this.venueOrders);
    this.recovery = new Recovery(this.ctx, this.venueOrders);
    this.delivery = new Delivery(this.ctx, this.positions, this.venueOrders, this.recovery);
    const flatten = new Flatten(this.ctx, this.positions, this.delivery, this.cancels);
    this.killSwitch = new KillSwitch(this.ctx, this.cancels, flatten);
    const refusals = new Refusals(this.ctx, this.recovery);
    // `this.tick` looked up at each call: the backtest replaces it to track the passes intake starts.
    this.intake = new Intake(this.ctx, this.positions, this.killSwitch, refusals, () => this.tick());
    this.loop = new SendLoop(this.ctx, this.killSwitch, this.delivery, this.recovery);
  }

  async start(): Promise<void> {
    const { deps, serial } = this.ctx;
    await this.killSwitch.load();
    await this.positions.rebuild();
    await serial.run(() => this.venueOrders.announceRecorded());
    await serial.run(() => this.recovery.recover());
    if (this.killed) await serial.run(() => this.killSwitch.abortEntriesLeft());
    const { bus } = deps;
    // One orders service per trading account, several on one bus: each its own durables, so each hears
    // every kill and resume and every decision (those of another venue it leaves), not a share of them.
    const durable = (what: string) => `${this.ctx.service}-${deps.venue.id}-${what}`;
    this.subs.push(
      // A kill is tried again until the venue lets it cancel and flatten: never dead-lettered.
      await bus.subscribe(subject(Subjects.kill, {}), (m) => this.killSwitch.onKill(m), {
        durable: durable('kill'),
        maxDeliver: UNTIL_CARRIED_OUT,
      }),
      await bus.subscribe(subject(Subjects.resume, {}), (m) => this.killSwitch.onResume(m), {
        durable: durable('resume'),
      }),
      await bus.subscribe(subject(Subjects.riskDecision, {}), (m) => this.intake.onDecision(m), {
        durable: durable('risk-decision'),
      }),
      await bus.subscribe(subject(Subjects.orderCommand, {}), (m) => this.onCommand(m), {
        durable: durable('order-command'),
      }),
    );
    this.timer = setInterval(() => void this.tick(), deps.config.TICK_MS);
  }

  async stop(): Promise<void> {
    this.ctx.stopped = true;
    if (this.timer) clearInterval(this.timer);
    // A kill or resume still waiting for its write gives up first: its message is delivered again.
    await this.killSwitch.stop();
    for (const s of this.subs) await s.stop();
    await this.ctx.serial.run(async () => undefined);
  }

  get killed(): boolean {
    return this.killSwitch.killed;
  }

  private async onCommand(message: Envelope<OrderCommand>): Promise<void> {
    const command = message.payload;
    const { deps, serial } = this.ctx;
    if (command.kind === 'cancel_all') {
      if (command.exchange === null || command.exchange === deps.venue.id)
        await serial.run(() => this.cancels.cancelAll('cancel_all command'));
      return;
    }
    if (command.exchange !== deps.venue.id) return;
    if (command.kind === 'record_fill') {
      await serial.run(() => this.recordedFills.recordFill(command, message.correlationId));
      return;
    }
    if (command.kind === 'cancel') {
      await serial.run(() => this.cancels.cancelCommand(command.symbol, command.clientOrderId));
      return;
    }
    await this.intake.onSubmit(command, message);
  }

  /**
   * Whether a slice this manager planned may be due by `now`; false means a pass would send nothing
   * (slices planned by another process are found by the idle read, not here).
   */
  mayHaveDue(now: number): boolean {
    return now >= this.ctx.nextDueAt;
  }

  /**
   * Sends every due slice, one at a time, unless the kill switch is engaged, and follows orders
   * resting on the venue. The table is read only when a slice is due, an order may be open, or
   * LOOP_IDLE_READ_MS has passed (reconciliation writes it too). A call while a pass is running asks
   * for another pass right after it, so a newly planned order does not wait a whole TICK_MS.
   */
  async tick(): Promise<void> {
    if (this.ctx.stopped) return;
    if (this.ticking) {
      this.tickAgain = true;
      return;
    }
    this.ticking = true;
    this.tickAgain = false;
    try {
      await this.ctx.serial.run(() => this.loop.pass());
    } catch (err) {
      this.ctx.deps.log.error({ err }, 'order loop failed');
    } finally {
      this.ticking = false;
    }
    if (this.tickAgain) void this.tick();
  }
}
