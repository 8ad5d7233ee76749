type Child = Node | string | number | null | undefined | false;

/** A tiny element builder: text is always set as text, never parsed as HTML. */
export function h(
  tag: string,
  attrs: Record<string, string | ((e: Event) => void)> = {},
  ...children: Child[]
): HTMLElement {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (typeof v === 'function') el.addEventListener(k.replace(/^on/, ''), v);
    else el.setAttribute(k, v);
  }
  for (const c of children)
    if (c !== null && c !== undefined && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}

export const money = (v: number | null | undefined): string =>
  v === null || v === undefined
    ? '–'
    : v.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

export const pct = (v: number | null | undefined): string =>
  v === null || v === undefined ? '–' : `${v.toFixed(2)}%`;

export const time = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').slice(0, 16);
