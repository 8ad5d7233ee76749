import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { prometheusBinary } from '@ballast/testkit';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const dir = join(import.meta.dirname, '..', '..', 'infra', 'prometheus');

function promtool(...args: string[]): string {
  try {
    return execFileSync(prometheusBinary('promtool'), args, { cwd: dir, encoding: 'utf8', stdio: 'pipe' });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    throw new Error(`promtool ${args.join(' ')} failed:\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }
}

type Rule = { alert?: string; record?: string; annotations?: Record<string, string> };
const ruleFiles = readdirSync(join(dir, 'rules')).filter((f) => f.endsWith('.yml'));
const rules: Rule[] = ruleFiles.flatMap((f) =>
  (parse(readFileSync(join(dir, 'rules', f), 'utf8')) as { groups: { rules: Rule[] }[] }).groups.flatMap(
    (g) => g.rules,
  ),
);
const alerts = rules.filter((r) => r.alert);
const testFiles = readdirSync(join(dir, 'tests')).filter((f) => f.endsWith('.yml'));

describe('infra/prometheus', () => {
  it('passes promtool check config (scrape config and rule files)', () => {
    expect(promtool('check', 'config', 'prometheus.yml')).toContain('SUCCESS');
  });

  it('scrapes every service of the default (paper) stack under job "ballast" with its service label', () => {
    const config = parse(readFileSync(join(dir, 'prometheus.yml'), 'utf8')) as {
      scrape_configs: { job_name: string; static_configs: { labels: { service: string } }[] }[];
    };
    const job = config.scrape_configs.find((c) => c.job_name === 'ballast');
    expect(job?.static_configs.map((s) => s.labels.service)).toEqual([
      'market-data',
      'features',
      'signals',
      'risk',
      'orders',
      'stops',
    ]);
  });

  it('finds every compose profile service by name under job "ballast", labelled with its name', () => {
    const config = parse(readFileSync(join(dir, 'prometheus.yml'), 'utf8')) as {
      scrape_configs: {
        job_name: string;
        dns_sd_configs?: { names: string[]; type: string; port: number }[];
        relabel_configs?: { source_labels: string[]; regex: string; target_label: string }[];
      }[];
    };
    const compose = parse(readFileSync(join(dir, '..', '..', 'docker-compose.yml'), 'utf8')) as {
      services: Record<string, { profiles?: string[] }>;
    };
    // A static target for a service that runs only under a profile is down whenever the profile is off.
    const profiled = Object.entries(compose.services)
      .filter(([, s]) => s.profiles !== undefined)
      .map(([name]) => name);
    const job = config.scrape_configs.find((c) => c.job_name === 'ballast');
    expect(job?.dns_sd_configs).toEqual([
      { names: profiled, type: 'A', port: 8080, refresh_interval: '30s' },
    ]);
    expect(job?.relabel_configs).toEqual([
      { source_labels: ['__meta_dns_name'], regex: '(.+)', target_label: 'service' },
    ]);
  });

  it('scrapes NATS through the exporter docker-compose.yml runs, under job "nats"', () => {
    const config = parse(readFileSync(join(dir, 'prometheus.yml'), 'utf8')) as {
      scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
    };
    const targets = config.scrape_configs
      .find((c) => c.job_name === 'nats')
      ?.static_configs.flatMap((s) => s.targets);
    expect(targets).toEqual(['nats-exporter:7777']);
    const compose = parse(readFileSync(join(dir, '..', '..', 'docker-compose.yml'), 'utf8')) as {
      services: Record<string, { command?: string[] }>;
    };
    expect(compose.services['nats-exporter']?.command).toContain('http://nats:8222');
    expect(alerts.map((a) => a.alert)).toContain('BallastNatsDown');
  });

  it('passes promtool check rules', () => {
    expect(promtool('check', 'rules', ...ruleFiles.map((f) => join('rules', f)))).toContain('SUCCESS');
  });

  it('gives every alert a summary, a description and runbook text', () => {
    expect(alerts.length).toBeGreaterThanOrEqual(15);
    for (const a of alerts) {
      expect(Object.keys(a.annotations ?? {}).sort(), a.alert).toEqual(['description', 'runbook', 'summary']);
      expect(a.annotations?.runbook?.length ?? 0, a.alert).toBeGreaterThan(60);
    }
  });

  // promtool replays every test's series: seconds on a quiet machine, over a minute beside the whole suite.
  it('unit-tests every alert both firing and not firing (promtool test rules)', { timeout: 240_000 }, () => {
    const tested = new Map<string, { fires: boolean; silent: boolean }>();
    for (const f of testFiles) {
      const doc = parse(readFileSync(join(dir, 'tests', f), 'utf8')) as {
        tests: { alert_rule_test: { alertname: string; exp_alerts: unknown[] }[] }[];
      };
      for (const t of doc.tests.flatMap((x) => x.alert_rule_test)) {
        const seen = tested.get(t.alertname) ?? { fires: false, silent: false };
        if (t.exp_alerts.length > 0) seen.fires = true;
        else seen.silent = true;
        tested.set(t.alertname, seen);
      }
    }
    for (const a of alerts) expect(tested.get(a.alert ?? ''), a.alert).toEqual({ fires: true, silent: true });
    const out = promtool('test', 'rules', ...testFiles.map((f) => join('tests', f)));
    expect(out).toContain('SUCCESS');
    expect(out).not.toContain('FAILED');
  });
});
