// Writes infra/grafana/dashboards/*.json from the TypeScript specs: `pnpm --filter @ballast/dashboards generate`.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderDashboards } from './index';

const out = join(import.meta.dirname, '..', '..', '..', 'infra', 'grafana', 'dashboards');
mkdirSync(out, { recursive: true });
for (const { file, text } of renderDashboards()) {
  writeFileSync(join(out, file), text);
  console.log(`wrote ${join('infra/grafana/dashboards', file)}`);
}
