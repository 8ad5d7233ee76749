import { panelQueries, renderDashboards } from '@ballast/dashboards';

/** One PromQL target of one panel, as Grafana runs it. */
export interface PanelQuery {
  readonly dashboard: string;
  readonly panel: string;
  readonly expr: string;
  /** `dashboard / panel`, how a failure names it. */
  readonly key: string;
}

/** Every target of every generated dashboard (the committed JSON is proven equal by grafana.test.ts). */
export function everyPanelQuery(): PanelQuery[] {
  return renderDashboards().flatMap(({ file, text }) =>
    panelQueries(JSON.parse(text)).map(({ panel, expr }) => {
      // Dashboards run their PromQL verbatim; a Grafana variable would need a value chosen here.
      if (expr.includes('$')) throw new Error(`${file} ${panel}: Grafana variable in ${expr}`);
      const dashboard = file.replace(/\.json$/, '');
      return { dashboard, panel, expr, key: `${dashboard} / ${panel}` };
    }),
  );
}

interface VectorResult {
  status: string;
  error?: string;
  data?: { resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] };
}

/** The series an instant query returns now whose value is a number (NaN: a quantile of nothing). */
export async function seriesWithValues(prometheusUrl: string, expr: string): Promise<number> {
  const res = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const body = (await res.json()) as VectorResult;
  if (body.status !== 'success') throw new Error(`Prometheus refused ${expr}: ${body.error}`);
  const result = body.data?.result ?? [];
  return result.filter((r) => Number.isFinite(Number(r.value[1]))).length;
}

/** Runs every query once; returns the keys of the targets that returned data. */
export async function targetsWithData(
  prometheusUrl: string,
  queries: readonly PanelQuery[],
): Promise<string[]> {
  const shown: string[] = [];
  for (const q of queries)
    if ((await seriesWithValues(prometheusUrl, q.expr)) > 0) shown.push(`${q.key}: ${q.expr}`);
  return shown;
}
