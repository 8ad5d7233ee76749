// Loaded with `--import` into a service process under test: its injected clock (service-kit's
// SystemClock, which runService hands to every service) reads the replay's time from a file instead of
// the wall clock, so separate processes share the virtual time of an accelerated replay, as the
// backtest's services share a VirtualClock. Only the injected clock changes: Date.now, timers and
// the transport stay on wall time. Reached by path: service-kit must not know about replays.
import { readFileSync } from 'node:fs';
import { SystemClock } from '../../service-kit/src/system-clock';

const file = process.env.BALLAST_REPLAY_CLOCK_FILE;
if (!file) throw new Error('replay clock: BALLAST_REPLAY_CLOCK_FILE is not set');

SystemClock.prototype.now = () => {
  const time = Number(readFileSync(file, 'utf8'));
  if (!Number.isFinite(time)) throw new Error(`replay clock: ${file} holds no time`);
  return time;
};
