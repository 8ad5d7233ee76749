import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// No Docker engine runs on this machine: docker-compose.yml is resolved with Debian's docker-compose 1.29
// (`config` parses, interpolates and checks the schema without an engine).

export const root = join(import.meta.dirname, '..', '..');

export interface ComposeService {
  image?: string;
  profiles?: string[];
  build?: { context: string; args?: Record<string, string> };
  command?: string[];
  restart?: string;
  /** A variable named without a value and unset in .env resolves to null: the container does not get it. */
  environment?: Record<string, string | null>;
  env_file?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test?: string[]; disable?: boolean };
  volumes?: Array<string | { source?: string; target: string; read_only?: boolean }>;
  ports?: Array<string | { host_ip?: string; published?: string | number; target: number }>;
}
export interface Compose {
  services: Record<string, ComposeService>;
  volumes: Record<string, unknown>;
}

export function dockerCompose(): string {
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

/**
 * `docker-compose config` of the committed file, as JSON, with the documented .env.example as .env and
 * `extra` lines appended to it (variables an operator sets beyond the example).
 */
export function resolvedCompose(extra: Record<string, string> = {}): Compose {
  const dir = mkdtempSync(join(tmpdir(), 'ballast-compose-'));
  copyFileSync(join(root, 'docker-compose.yml'), join(dir, 'docker-compose.yml'));
  const lines = Object.entries(extra).map(([name, value]) => `${name}=${value}\n`);
  writeFileSync(join(dir, '.env'), `${readFileSync(join(root, '.env.example'), 'utf8')}\n${lines.join('')}`);
  const yaml = execFileSync(dockerCompose(), ['-f', 'docker-compose.yml', 'config'], {
    cwd: dir,
    encoding: 'utf8',
  });
  // docker-compose is Python with PyYAML, so the same interpreter turns its output into JSON.
  const json = execFileSync(
    'python3',
    ['-c', 'import json, sys, yaml; print(json.dumps(yaml.safe_load(sys.stdin)))'],
    { input: yaml, encoding: 'utf8' },
  );
  return JSON.parse(json) as Compose;
}

/** The variables .env.example sets (not the commented-out ones), as the stack's .env would hold them. */
export function exampleEnv(): Record<string, string> {
  const lines = readFileSync(join(root, '.env.example'), 'utf8').split('\n');
  return Object.fromEntries(
    lines.flatMap((line) => {
      const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
      return m ? [[m[1] as string, m[2] as string]] : [];
    }),
  );
}

/** Services with an entry point in this checkout. */
export const ballastServices = readdirSync(join(root, 'services')).filter((name) =>
  existsSync(join(root, 'services', name, 'src', 'main.ts')),
);
