import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

function dockerCompose(): string {
  try {
    execFileSync('docker-compose', ['--version'], { stdio: 'pipe' });
    return 'docker-compose';
  } catch {
    throw new Error(
      'docker-compose (Debian package docker-compose) is required to validate docker-compose.yml; ' +
        '.ci/run installs it. No Docker engine is needed for validation.',
    );
  }
}

describe('docker-compose.yml', () => {
  it('is valid for the Compose v1 parser (and so stays within what v2 accepts)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ballast-compose-'));
    copyFileSync(join(root, 'docker-compose.yml'), join(dir, 'docker-compose.yml'));
    // The documented example must be enough to start the stack.
    copyFileSync(join(root, '.env.example'), join(dir, '.env'));
    const out = execFileSync(dockerCompose(), ['-f', 'docker-compose.yml', 'config'], {
      cwd: dir,
      encoding: 'utf8',
    });
    for (const service of ['nats', 'timescaledb', 'migrate', 'market-data', 'orders', 'stops'])
      expect(out).toContain(`  ${service}:`);
  });
});
