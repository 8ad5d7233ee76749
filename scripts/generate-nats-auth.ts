// Writes infra/nats/auth.conf from packages/contracts (`--check`: exit 1 when the committed file differs).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { natsUsers, renderAuthConf } from './nats-permissions';

export const AUTH_CONF = join(import.meta.dirname, '..', 'infra', 'nats', 'auth.conf');

const wanted = renderAuthConf(natsUsers());
if (process.argv.includes('--check')) {
  const current = readFileSync(AUTH_CONF, 'utf8');
  if (current !== wanted) {
    console.error(`${AUTH_CONF} is stale: run pnpm exec tsx scripts/generate-nats-auth.ts`);
    process.exit(1);
  }
  console.log(`${AUTH_CONF} is up to date`);
} else {
  writeFileSync(AUTH_CONF, wanted);
  console.log(`wrote ${AUTH_CONF}`);
}
