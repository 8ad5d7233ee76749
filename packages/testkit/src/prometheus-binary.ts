import { execFileSync } from 'node:child_process';

/** The promtool/prometheus binary, or a loud error saying how to install it (never a silent skip). */
export function prometheusBinary(name: 'promtool' | 'prometheus'): string {
  try {
    const path = execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
    if (path) return path;
  } catch {
    // fall through to the install hint
  }
  throw new Error(
    `${name} is required (Prometheus 2.42+): apt-get install -y --no-install-recommends prometheus ` +
      '(.ci/run installs it; nothing auto-starts).',
  );
}
