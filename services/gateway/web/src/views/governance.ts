import { api } from '../api';
import { h, time } from '../dom';
import { type Json, section, table } from './ui';

const show = (v: unknown): string => (v === null || v === undefined ? '–' : JSON.stringify(v));

const diffText = (diff: Json[]): HTMLElement =>
  h('pre', { class: 'diff' }, diff.map((d) => `${d.path}: ${show(d.from)} → ${show(d.to)}`).join('\n'));

const figuresText = (figures: Json | null): string =>
  figures
    ? Object.entries(figures)
        .map(([k, v]) => `${k} ${typeof v === 'number' ? Number(v.toFixed(4)) : show(v)}`)
        .join(', ')
    : '';

/** Asks for the reason every change needs; undefined when the operator cancels. */
function askReason(what: string): string | undefined {
  const reason = prompt(`Reason for: ${what}`)?.trim();
  return reason && reason.length >= 3 ? reason : undefined;
}

function lifecycleRow(l: Json, changes: Json[]): (string | Node)[] {
  const moved = changes.find((c) => c.kind === 'lifecycle' && c.subject === l.strategy);
  const state =
    l.state === null
      ? 'not judged'
      : l.state === 'shadow' && moved?.diff[0]?.from === 'live'
        ? 'demoted (shadow)'
        : l.state;
  return [
    l.strategy,
    h('span', { class: `light ${l.state === 'live' ? 'green' : 'red'}` }, state),
    l.since ? time(l.since) : '–',
    l.detail ?? '',
    l.override ? `${l.override.by}: ${l.override.reason} (red: ${l.override.redCriteria.join(', ')})` : '',
    figuresText(moved?.figures ?? null),
  ];
}

function operatorControls(gov: Json, onChange: () => void): HTMLElement {
  const error = h('p', { class: 'error', role: 'alert' });
  const run = async (what: string, path: string, body: Json) => {
    const reason = askReason(what);
    if (!reason) return;
    try {
      await api.put(path, { ...body, reason });
      onChange();
    } catch (err) {
      error.textContent = (err as Error).message;
    }
  };
  const switches = Object.entries(gov.strategies).map(([name, on]) =>
    h(
      'button',
      {
        onclick: () =>
          run(`${on ? 'disable' : 'enable'} ${name}`, `/api/config/strategies/${name}`, { enabled: !on }),
      },
      `${on ? 'Disable' : 'Enable'} ${name}`,
    ),
  );
  const numeric = Object.entries(gov.riskLimits).filter(([, v]) => typeof v === 'number');
  const inputs = numeric.map(
    ([k, v]) =>
      h('input', { 'aria-label': k, name: k, value: String(v), inputmode: 'decimal' }) as HTMLInputElement,
  );
  const form = h(
    'form',
    {
      class: 'limits',
      onsubmit: (e) => {
        e.preventDefault();
        const limits = Object.fromEntries(
          inputs.map((i) => [i.name, Number(i.value)]).filter(([k, v]) => gov.riskLimits[k as string] !== v),
        );
        if (Object.keys(limits).length === 0) error.textContent = 'no limit changed';
        else void run('risk limits', '/api/config/risk-limits', { limits });
      },
    },
    ...numeric.map(([k], i) => h('label', {}, `${k} `, inputs[i] as HTMLInputElement)),
    h('button', { type: 'submit' }, 'Save limits'),
  );
  return h(
    'div',
    { 'data-testid': 'config-controls' },
    h('h3', {}, 'Strategies'),
    h('div', {}, ...switches),
    h('h3', {}, 'Risk limits'),
    form,
    error,
  );
}

/** Governance: lifecycles with the figures that moved them, and every configuration change. */
export function governanceView(gov: Json, operator: boolean, onChange: () => void): HTMLElement {
  return section(
    'Governance',
    'governance',
    h('h3', {}, 'Strategy lifecycle'),
    table(
      ['Strategy', 'State', 'Since', 'Why', 'Override', 'Figures'],
      gov.lifecycles.map((l: Json) => lifecycleRow(l, gov.changes)),
      'lifecycle-table',
    ),
    operator ? operatorControls(gov, onChange) : null,
    h('h3', {}, 'Configuration changes'),
    table(
      ['When', 'Who', 'What', 'Subject', 'Reason', 'Diff', 'Figures'],
      gov.changes.map((c: Json) => [
        time(c.createdAt),
        `${c.actor} (${c.source})`,
        c.kind,
        c.subject,
        c.reason,
        diffText(c.diff),
        figuresText(c.figures),
      ]),
      'config-changes',
    ),
  );
}
