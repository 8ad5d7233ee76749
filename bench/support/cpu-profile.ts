// Imported into a service process by `pnpm bench latency` when LATENCY_CPU_PROF names a directory:
// profiles the whole process with the inspector and writes <dir>/<service>-<pid>.cpuprofile on exit
// (`--cpu-prof` is not allowed in NODE_OPTIONS on Node 20).
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

const dir = process.env.LATENCY_CPU_PROF;
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.setSamplingInterval', { interval: 500 });
  session.post('Profiler.start');
  const name = process.argv[process.argv.length - 1]?.split('/services/')[1]?.split('/')[0] ?? 'service';
  // An in-process session answers synchronously, so the profile is written before the exit completes.
  process.on('exit', () => {
    session.post('Profiler.stop', (err, result) => {
      if (!err) writeFileSync(join(dir, `${name}-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
