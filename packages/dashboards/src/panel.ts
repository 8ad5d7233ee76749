import * as bargauge from '@grafana/grafana-foundation-sdk/bargauge';
import type { Builder } from '@grafana/grafana-foundation-sdk/cog';
import { ReduceDataOptionsBuilder } from '@grafana/grafana-foundation-sdk/common';
import type * as dashboard from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder, PromQueryFormat } from '@grafana/grafana-foundation-sdk/prometheus';
import * as stat from '@grafana/grafana-foundation-sdk/stat';
import * as table from '@grafana/grafana-foundation-sdk/table';
import * as timeseries from '@grafana/grafana-foundation-sdk/timeseries';

/** The Prometheus datasource every panel reads; provisioned under this uid (infra/grafana/provisioning). */
export const DATASOURCE = { type: 'prometheus', uid: 'prometheus' } as const;

export interface Query {
  /** PromQL run verbatim (no Grafana variables), so the panel proof runs exactly what Grafana runs. */
  expr: string;
  legend?: string;
}

export type PanelKind = 'timeseries' | 'stat' | 'table' | 'bargauge';

/** One panel as data: what it shows and how; layout is computed by the dashboard. */
export interface PanelSpec {
  title: string;
  kind: PanelKind;
  description: string;
  unit?: string;
  queries: Query[];
  /** Grid width out of 24 (default: 6 for stats, 12 otherwise). */
  width?: number;
  mappings?: dashboard.ValueMapping[];
}

const HEIGHT: Record<PanelKind, number> = { timeseries: 8, stat: 4, table: 8, bargauge: 8 };

export function defaultWidth(spec: PanelSpec): number {
  return spec.width ?? (spec.kind === 'stat' ? 6 : 12);
}

export function panelHeight(spec: PanelSpec): number {
  return HEIGHT[spec.kind];
}

function targets(spec: PanelSpec, instant: boolean): DataqueryBuilder[] {
  return spec.queries.map((q, i) => {
    const b = new DataqueryBuilder()
      .datasource(DATASOURCE)
      .refId(String.fromCharCode(65 + i))
      .expr(q.expr);
    if (q.legend) b.legendFormat(q.legend);
    return instant ? b.instant().format(PromQueryFormat.Table) : b.range();
  });
}

// Stats and bars show the latest value of each series.
const LAST = new ReduceDataOptionsBuilder().calcs(['lastNotNull']);

type AnyPanel = timeseries.PanelBuilder | stat.PanelBuilder | table.PanelBuilder | bargauge.PanelBuilder;

function create(kind: PanelKind): AnyPanel {
  switch (kind) {
    case 'timeseries':
      return new timeseries.PanelBuilder();
    case 'stat':
      return new stat.PanelBuilder().reduceOptions(LAST);
    case 'table':
      return new table.PanelBuilder();
    case 'bargauge':
      return new bargauge.PanelBuilder().reduceOptions(LAST);
  }
}

/** A typed Grafana panel from its spec, placed at `gridPos`. */
export function buildPanel(spec: PanelSpec, gridPos: dashboard.GridPos): Builder<dashboard.Panel> {
  const panel = create(spec.kind)
    .title(spec.title)
    .description(spec.description)
    .datasource(DATASOURCE)
    .gridPos(gridPos);
  if (spec.unit) panel.unit(spec.unit);
  if (spec.mappings) panel.mappings(spec.mappings);
  for (const t of targets(spec, spec.kind === 'table')) panel.withTarget(t);
  return panel;
}
