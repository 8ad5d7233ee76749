/**
 * What the `ballast up` supervisor decides about one child process, without any I/O: when to restart it
 * after an exit, when to give up, when it is stopped. Time and randomness come in as arguments.
 */

export interface BackoffPolicy {
  /** Delay before the first restart. */
  readonly baseMs: number;
  /** No delay grows beyond this. */
  readonly capMs: number;
  readonly factor: number;
  /** ± fraction of the delay, so children that died together do not restart in lockstep. */
  readonly jitter: number;
  /** A child that ran this long before exiting starts its backoff again from baseMs. */
  readonly stableMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = {
  baseMs: 500,
  capMs: 30_000,
  factor: 2,
  jitter: 0.2,
  stableMs: 60_000,
};

/** Exit code 78 (EX_CONFIG, service-kit's ExitCode.config): a bad configuration does not heal by restarting. */
export const CONFIG_EXIT_CODE = 78;

/** Delay before restart number `failures` (1-based), for a uniform `random` in [0, 1). */
export function restartDelayMs(policy: BackoffPolicy, failures: number, random: number): number {
  const exponent = Math.max(0, failures - 1);
  const raw = Math.min(policy.capMs, policy.baseMs * policy.factor ** exponent);
  const spread = 1 - policy.jitter + 2 * policy.jitter * random;
  return Math.round(Math.min(policy.capMs, raw * spread));
}

export type ChildPhase = 'running' | 'backoff' | 'stopping' | 'stopped' | 'failed';

export interface ExitInfo {
  readonly code: number | null;
  readonly signal: string | null;
  readonly at: number;
}

export interface ChildState {
  readonly phase: ChildPhase;
  /** Consecutive quick failures; drives the backoff. */
  readonly failures: number;
  /** Every restart since `ballast up`, for `status`. */
  readonly restarts: number;
  readonly startedAt: number | null;
  readonly retryAt: number | null;
  readonly lastExit: ExitInfo | null;
}

export type ChildEvent =
  | { readonly type: 'spawned'; readonly at: number }
  | { readonly type: 'exited'; readonly exit: ExitInfo }
  | { readonly type: 'retry-due'; readonly at: number }
  | { readonly type: 'stop-requested'; readonly at: number };

/** What the shell must do after a transition. */
export type ChildAction =
  | { readonly kind: 'none' }
  | { readonly kind: 'spawn' }
  | { readonly kind: 'schedule-retry'; readonly delayMs: number }
  | { readonly kind: 'terminate' }
  | { readonly kind: 'cancel-retry' };

export interface Transition {
  readonly state: ChildState;
  readonly action: ChildAction;
}

export const INITIAL_CHILD_STATE: ChildState = {
  phase: 'stopped',
  failures: 0,
  restarts: 0,
  startedAt: null,
  retryAt: null,
  lastExit: null,
};

const none: ChildAction = { kind: 'none' };

/** The child state machine: running → (exit) → backoff → (retry due) → running; stop from anywhere. */
export function nextChildState(
  state: ChildState,
  event: ChildEvent,
  policy: BackoffPolicy,
  random: number,
): Transition {
  switch (event.type) {
    case 'spawned':
      return { state: { ...state, phase: 'running', startedAt: event.at, retryAt: null }, action: none };
    case 'exited':
      return onExit(state, event.exit, policy, random);
    case 'retry-due':
      if (state.phase !== 'backoff') return { state, action: none };
      return { state: { ...state, restarts: state.restarts + 1 }, action: { kind: 'spawn' } };
    case 'stop-requested':
      return onStop(state);
  }
}

function onExit(state: ChildState, exit: ExitInfo, policy: BackoffPolicy, random: number): Transition {
  const ended = { ...state, startedAt: null, lastExit: exit };
  if (state.phase === 'stopping' || state.phase === 'stopped')
    return { state: { ...ended, phase: 'stopped' }, action: none };
  if (exit.code === CONFIG_EXIT_CODE) return { state: { ...ended, phase: 'failed' }, action: none };
  const ranFor = state.startedAt === null ? 0 : exit.at - state.startedAt;
  const failures = (ranFor >= policy.stableMs ? 0 : state.failures) + 1;
  const delayMs = restartDelayMs(policy, failures, random);
  return {
    state: { ...ended, phase: 'backoff', failures, retryAt: exit.at + delayMs },
    action: { kind: 'schedule-retry', delayMs },
  };
}

function onStop(state: ChildState): Transition {
  switch (state.phase) {
    case 'running':
      return { state: { ...state, phase: 'stopping' }, action: { kind: 'terminate' } };
    case 'backoff':
      return { state: { ...state, phase: 'stopped', retryAt: null }, action: { kind: 'cancel-retry' } };
    default:
      return { state, action: none };
  }
}
