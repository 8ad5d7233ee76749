import { DashboardBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { buildPanel, defaultWidth, type PanelSpec, panelHeight } from './panel';

export interface DashboardSpec {
  /** File name under infra/grafana/dashboards and the dashboard uid. */
  uid: string;
  title: string;
  description: string;
  panels: PanelSpec[];
}

/** Lays panels out left to right in rows of 24 grid units and builds the Grafana dashboard JSON. */
export function buildDashboard(spec: DashboardSpec): object {
  const builder = new DashboardBuilder(spec.title)
    .uid(spec.uid)
    .description(spec.description)
    .tags(['ballast'])
    .editable()
    .refresh('30s')
    .time({ from: 'now-6h', to: 'now' })
    .timezone('utc');
  let x = 0;
  let y = 0;
  let rowHeight = 0;
  for (const panel of spec.panels) {
    const w = defaultWidth(panel);
    const h = panelHeight(panel);
    if (x + w > 24) {
      x = 0;
      y += rowHeight;
      rowHeight = 0;
    }
    builder.withPanel(buildPanel(panel, { x, y, w, h }));
    x += w;
    rowHeight = Math.max(rowHeight, h);
  }
  return builder.build();
}
