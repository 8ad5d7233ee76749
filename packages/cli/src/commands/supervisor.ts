import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import {
  type BackoffPolicy,
  type ChildAction,
  type ChildEvent,
  type ChildState,
  INITIAL_CHILD_STATE,
  nextChildState,
} from './supervision-policy';

/** One process the supervisor keeps running. */
export interface ChildSpec {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  /** Its health/metrics port, when it has one. */
  readonly port: number | null;
}

export interface SupervisorDeps {
  readonly policy: BackoffPolicy;
  readonly now: () => number;
  readonly random: () => number;
  /** Receives every output line of every child, already prefixed with its name. */
  readonly output: (line: string) => void;
  /** Called after every state change (the `up` command persists the snapshot for `status` and `down`). */
  readonly onChange: (snapshot: readonly ChildSnapshot[]) => void;
  /** After SIGTERM, how long a child may take to drain before SIGKILL. */
  readonly stopGraceMs: number;
}

export interface ChildSnapshot {
  readonly name: string;
  readonly pid: number | null;
  readonly port: number | null;
  readonly script: string;
  readonly state: ChildState;
}

interface Slot {
  readonly spec: ChildSpec;
  state: ChildState;
  process: ChildProcess | null;
  retryTimer: NodeJS.Timeout | null;
}

/** Runs children, restarts them with backoff when they exit, stops them all on request. */
export class Supervisor {
  private readonly slots: Slot[];
  private readonly width: number;

  constructor(
    specs: readonly ChildSpec[],
    private readonly deps: SupervisorDeps,
  ) {
    this.slots = specs.map((spec) => ({ spec, state: INITIAL_CHILD_STATE, process: null, retryTimer: null }));
    this.width = Math.max(...specs.map((s) => s.name.length), 1);
  }

  start(): void {
    for (const slot of this.slots) this.spawn(slot);
    this.changed();
  }

  snapshot(): ChildSnapshot[] {
    return this.slots.map((s) => ({
      name: s.spec.name,
      pid: s.process?.pid ?? null,
      port: s.spec.port,
      script: s.spec.args.at(-1) ?? s.spec.command,
      state: s.state,
    }));
  }

  /** SIGTERM to every child, SIGKILL to any still running after the grace period; resolves when all exited. */
  async stop(): Promise<void> {
    const exits = this.slots
      .map((slot) => slot.process)
      .filter((p): p is ChildProcess => p !== null && p.exitCode === null && p.signalCode === null)
      .map((p) => once(p, 'exit'));
    for (const slot of this.slots) this.apply(slot, { type: 'stop-requested', at: this.deps.now() });
    const killer = setTimeout(() => {
      for (const slot of this.slots) slot.process?.kill('SIGKILL');
    }, this.deps.stopGraceMs);
    await Promise.all(exits);
    clearTimeout(killer);
  }

  private apply(slot: Slot, event: ChildEvent): void {
    const { state, action } = nextChildState(slot.state, event, this.deps.policy, this.deps.random());
    slot.state = state;
    this.act(slot, action);
    this.changed();
  }

  private act(slot: Slot, action: ChildAction): void {
    switch (action.kind) {
      case 'spawn':
        this.spawn(slot);
        return;
      case 'schedule-retry':
        this.say(slot, `exited; restarting in ${action.delayMs} ms (failure ${slot.state.failures})`);
        slot.retryTimer = setTimeout(() => {
          slot.retryTimer = null;
          this.apply(slot, { type: 'retry-due', at: this.deps.now() });
        }, action.delayMs);
        return;
      case 'terminate':
        slot.process?.kill('SIGTERM');
        return;
      case 'cancel-retry':
        if (slot.retryTimer) clearTimeout(slot.retryTimer);
        slot.retryTimer = null;
        return;
      case 'none':
        if (slot.state.phase === 'failed')
          this.say(slot, 'exited with a configuration error; not restarting');
        return;
    }
  }

  private spawn(slot: Slot): void {
    const { spec } = slot;
    // Its own process group: Ctrl-C reaches the supervisor only, which then stops the children in order.
    const child = spawn(spec.command, [...spec.args], {
      cwd: spec.cwd,
      env: spec.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    slot.process = child;
    for (const stream of [child.stdout, child.stderr])
      createInterface({ input: stream }).on('line', (line) => this.deps.output(this.prefix(slot, line)));
    let exited = false;
    const onExit = (code: number | null, signal: NodeJS.Signals | null) => {
      if (exited) return;
      exited = true;
      slot.process = null;
      this.apply(slot, { type: 'exited', exit: { code, signal, at: this.deps.now() } });
    };
    child.once('exit', onExit);
    child.once('error', (err) => {
      this.say(slot, `cannot start: ${err.message}`);
      onExit(null, null);
    });
    if (child.pid !== undefined)
      slot.state = nextChildState(
        slot.state,
        { type: 'spawned', at: this.deps.now() },
        this.deps.policy,
        0,
      ).state;
  }

  private say(slot: Slot, text: string): void {
    this.deps.output(this.prefix(slot, `[supervisor] ${text}`));
  }

  private prefix(slot: Slot, line: string): string {
    return `${slot.spec.name.padEnd(this.width)} | ${line}`;
  }

  private changed(): void {
    this.deps.onChange(this.snapshot());
  }
}
