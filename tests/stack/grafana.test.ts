import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { DASHBOARDS, panelQueries, renderDashboards } from '../../packages/dashboards/src/index';

const grafana = join(import.meta.dirname, '..', '..', 'infra', 'grafana');
const committed = join(grafana, 'dashboards');

describe('infra/grafana dashboards', () => {
  it('are exactly what packages/dashboards generates (run `pnpm --filter @ballast/dashboards generate`)', () => {
    const generated = renderDashboards();
    expect(readdirSync(committed).sort()).toEqual(generated.map((d) => d.file).sort());
    for (const { file, text } of generated)
      expect(readFileSync(join(committed, file), 'utf8'), `${file} is stale`).toBe(text);
  });

  it('cover the six areas, every panel with a query, no Grafana variables in PromQL', () => {
    expect(DASHBOARDS.map((d) => d.title)).toEqual([
      'Ballast / Overview',
      'Ballast / Market data',
      'Ballast / Execution',
      'Ballast / Risk',
      'Ballast / Agents',
      'Ballast / Platform',
    ]);
    for (const { file, text } of renderDashboards()) {
      const json = JSON.parse(text) as { panels: { title: string; targets: unknown[] }[] };
      for (const p of json.panels) expect(p.targets.length, `${file}: ${p.title}`).toBeGreaterThan(0);
      for (const q of panelQueries(json)) expect(q.expr, `${file}: ${q.panel}`).not.toMatch(/\$/);
    }
  });

  it('read the provisioned Prometheus datasource, and the provider loads the mounted directory', () => {
    const ds = parse(
      readFileSync(join(grafana, 'provisioning', 'datasources', 'prometheus.yml'), 'utf8'),
    ) as {
      datasources: { uid: string; type: string; url: string }[];
    };
    expect(ds.datasources).toEqual([
      expect.objectContaining({ uid: 'prometheus', type: 'prometheus', url: 'http://prometheus:9090' }),
    ]);
    for (const { text } of renderDashboards()) {
      const uids = new Set(text.match(/"uid": "[^"]+"/g));
      expect([...uids].filter((u) => !u.startsWith('"uid": "ballast-'))).toEqual(['"uid": "prometheus"']);
    }
    const providers = parse(
      readFileSync(join(grafana, 'provisioning', 'dashboards', 'ballast.yml'), 'utf8'),
    ) as { providers: { options: { path: string } }[] };
    const compose = readFileSync(join(import.meta.dirname, '..', '..', 'docker-compose.yml'), 'utf8');
    expect(compose).toContain(`./infra/grafana/dashboards:${providers.providers[0]?.options.path}:ro`);
  });
});
