import type { MemoryBus } from '@ballast/bus';
import type { Clock } from '@ballast/contracts';
import type { OrderSliceRepository } from '@ballast/db';
import { BacktestError } from './backtest-error';

/** The part of the orders service's manager the runtime drives: its send loop. */
export interface Tickable {
  tick(): Promise<void>;
  /** False when no slice it planned can be due by `now`, so the table need not be asked. */
  mayHaveDue(now: number): boolean;
}

/**
 * Makes the orders service's send loop observable. The manager starts a loop pass from inside a bus
 * handler without awaiting it (live, a timer also runs it); the backtest must know when that pass
 * ends, so each pass the manager starts is tracked here.
 */
export interface TickTracker {
  inFlight(): Promise<void>;
  busy(): boolean;
  /** True once per pass started since the last call: only a pass can leave a slice behind. */
  takeStarted(): boolean;
}

export function trackTicks(manager: Tickable): TickTracker {
  const running = new Set<Promise<void>>();
  const original = manager.tick.bind(manager);
  let started = false;
  manager.tick = () => {
    started = true;
    const run = original();
    running.add(run);
    void run.finally(() => running.delete(run));
    return run;
  };
  return {
    inFlight: async () => {
      await Promise.allSettled([...running]);
    },
    busy: () => running.size > 0,
    takeStarted: () => {
      const was = started;
      started = false;
      return was;
    },
  };
}

const MAX_ROUNDS = 10_000;

/**
 * Waits until nothing is left to do at this instant: the bus queue is empty, no loop pass runs, and
 * no order slice is due. Only then may the virtual clock move on.
 */
export async function settle(
  bus: MemoryBus,
  ticks: TickTracker,
  manager: Tickable,
  slices: OrderSliceRepository,
  clock: Clock,
): Promise<void> {
  for (let round = 0; round < MAX_ROUNDS; round++) {
    await bus.idle();
    if (ticks.busy()) {
      await ticks.inFlight();
      continue;
    }
    // A pass started while another ran is skipped by the manager; run one more for what it left.
    // Slices are only planned by handlers that also start a pass, so without one nothing is due; the
    // manager knows when it planned nothing due, and then the table is not read.
    const now = clock.now();
    if (ticks.takeStarted() && manager.mayHaveDue(now) && (await slices.due(now)).length > 0) {
      await manager.tick();
      continue;
    }
    await bus.idle();
    if (!ticks.busy()) return;
  }
  throw new BacktestError('stalled', `the pipeline did not settle at ${clock.now()}`);
}
