import { h } from '../dom';

// biome-ignore lint/suspicious/noExplicitAny: shapes come from the gateway's OpenAPI schemas
export type Json = any;

export function section(title: string, id: string, ...children: (Node | null)[]): HTMLElement {
  return h('section', { id }, h('h2', {}, title), ...children);
}

export function table(headers: string[], rows: (string | Node)[][], testId: string): HTMLElement {
  return h(
    'div',
    { class: 'scroll' },
    h(
      'table',
      { 'data-testid': testId },
      h('thead', {}, h('tr', {}, ...headers.map((x) => h('th', {}, x)))),
      h('tbody', {}, ...rows.map((r) => h('tr', {}, ...r.map((c) => h('td', {}, c))))),
    ),
  );
}

/** Signed money with its colour class. */
export function signed(v: number, text: string, testId?: string): HTMLElement {
  return h('span', { class: v >= 0 ? 'up' : 'down', ...(testId ? { 'data-testid': testId } : {}) }, text);
}
