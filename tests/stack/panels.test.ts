import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { panelQueries, renderDashboards } from '../../packages/dashboards/src/index';

// A static guard: every metric a panel or an alert reads is registered by some service's code (a
// prom-client metric name as a string literal in non-test source), directly or through a recording rule. It catches a renamed or
// never-exported metric without running the stack; it does not prove the series carry data.
const root = join(import.meta.dirname, '..', '..');
const rulesDir = join(root, 'infra', 'prometheus', 'rules');

type Rule = { record?: string; alert?: string; expr: string };
const rules: Rule[] = readdirSync(rulesDir).flatMap((f) =>
  (parse(readFileSync(join(rulesDir, f), 'utf8')) as { groups: { rules: Rule[] }[] }).groups.flatMap(
    (g) => g.rules,
  ),
);
const recorded = new Map(rules.filter((r) => r.record).map((r) => [r.record as string, r.expr]));

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules') return [];
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.test.ts') ? [path] : [];
  });
}

const sources = ['packages', 'services']
  .flatMap((top) => readdirSync(join(root, top)).map((p) => join(root, top, p, 'src')))
  .filter((dir) => {
    try {
      return statSync(dir).isDirectory();
    } catch {
      return false;
    }
  })
  .flatMap(sourceFiles)
  .map((file) => readFileSync(file, 'utf8'));
const exported = new Set(
  sources.flatMap((text) => [...text.matchAll(/'(ballast_[a-z0-9_]+)'/g)].map((m) => m[1])),
);
// prom-client's default process metrics and Prometheus' own `up`.
const BUILT_IN = new Set(['up', 'process_resident_memory_bytes', 'nodejs_heap_size_used_bytes']);

/** The base metrics an expression reads, following recording rules to their own expressions. */
function baseMetrics(expr: string): string[] {
  const names =
    expr.match(/\b(ballast:[a-z0-9_:]+|ballast_[a-z0-9_]+|process_[a-z_]+|nodejs_[a-z_]+|up)\b/g) ?? [];
  return names.flatMap((n) => {
    if (n.startsWith('ballast:')) {
      const inner = recorded.get(n);
      if (!inner) return [`${n} (no recording rule)`];
      return baseMetrics(inner);
    }
    return [n.replace(/_(bucket|sum|count)$/, '')];
  });
}

const missing = (expr: string) => baseMetrics(expr).filter((m) => !exported.has(m) && !BUILT_IN.has(m));

describe('metrics behind panels and alerts', () => {
  it('finds the services’ metric registrations', () => {
    expect(exported.has('ballast_bus_messages_total')).toBe(true);
    expect(exported.size).toBeGreaterThan(40);
  });

  it('every panel query reads only metrics some service exports', () => {
    for (const { file, text } of renderDashboards())
      for (const q of panelQueries(JSON.parse(text)))
        expect(missing(q.expr), `${file}: ${q.panel}: ${q.expr}`).toEqual([]);
  });

  it('every metric a service registers is read by some panel or alert (none exported unseen)', () => {
    const registered = sources.flatMap((text) =>
      [...text.matchAll(/name: '(ballast_[a-z0-9_]+)',\s*help:/g)].map((m) => m[1] as string),
    );
    expect(registered.length).toBeGreaterThan(40);
    const read = new Set([
      ...renderDashboards().flatMap(({ text }) =>
        panelQueries(JSON.parse(text)).flatMap((q) => baseMetrics(q.expr)),
      ),
      ...rules.flatMap((r) => baseMetrics(r.expr)),
    ]);
    expect(registered.filter((m) => !read.has(m))).toEqual([]);
  });

  it('every alert and recording rule reads only metrics some service exports', () => {
    for (const r of rules) expect(missing(r.expr), r.alert ?? r.record).toEqual([]);
  });
});
