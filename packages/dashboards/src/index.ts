import { buildDashboard, type DashboardSpec } from './dashboard-spec';
import { agents } from './dashboards/agents';
import { execution } from './dashboards/execution';
import { marketData } from './dashboards/market-data';
import { overview } from './dashboards/overview';
import { platform } from './dashboards/platform';
import { risk } from './dashboards/risk';

export type { DashboardSpec } from './dashboard-spec';
export type { PanelSpec, Query } from './panel';

export const DASHBOARDS: readonly DashboardSpec[] = [overview, marketData, execution, risk, agents, platform];

/** Each dashboard's file name (infra/grafana/dashboards/<uid>.json) and its exact file text. */
export function renderDashboards(): { file: string; text: string }[] {
  return DASHBOARDS.map((d) => ({
    file: `${d.uid}.json`,
    text: `${JSON.stringify(buildDashboard(d), null, 2)}\n`,
  }));
}

/** Every PromQL expression of a generated dashboard, with the panel it belongs to. */
export function panelQueries(json: unknown): { panel: string; expr: string }[] {
  const panels = (json as { panels?: { title: string; targets?: { expr?: string }[] }[] }).panels ?? [];
  return panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr ?? '' })));
}
