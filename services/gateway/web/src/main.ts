import { ApiError, api, type SessionInfo } from './api';
import { h, money, pct, time } from './dom';
import { price } from './price';
import { controlAcks } from './views/control-acks';
import { governanceView } from './views/governance';
import { MarketView } from './views/market';
import { PnlView } from './views/pnl';
import { publicPage } from './views/public';
import { signalsView } from './views/signals';
import { type Json, section, table } from './views/ui';

const root = document.getElementById('app') as HTMLElement;
let session: SessionInfo | undefined;
let openDecision: string | undefined;

function loginView(error = ''): void {
  const user = h('input', {
    name: 'user',
    autocomplete: 'username',
    'aria-label': 'user',
  }) as HTMLInputElement;
  const password = h('input', {
    name: 'password',
    type: 'password',
    autocomplete: 'current-password',
    'aria-label': 'password',
  }) as HTMLInputElement;
  const form = h(
    'form',
    {
      class: 'login',
      onsubmit: async (e) => {
        e.preventDefault();
        try {
          session = await api.login(user.value, password.value);
          start();
        } catch (err) {
          loginView((err as Error).message);
        }
      },
    },
    h('h1', {}, 'Ballast'),
    h('label', {}, 'User', user),
    h('label', {}, 'Password', password),
    h('button', { type: 'submit' }, 'Log in'),
    error ? h('p', { class: 'error', role: 'alert' }, error) : null,
  );
  root.replaceChildren(form);
}

function killControls(control: Json): HTMLElement | null {
  if (session?.role !== 'operator') return null;
  const dialog = h('dialog', { 'data-testid': 'kill-dialog' }) as HTMLDialogElement;
  const reason = h('input', {
    'aria-label': 'reason',
    value: 'manual kill from the dashboard',
  }) as HTMLInputElement;
  const flatten = h('input', { type: 'checkbox', 'aria-label': 'flatten' }) as HTMLInputElement;
  const killError = alertLine('kill-error', '');
  dialog.append(
    h('p', {}, 'Engage the kill switch? No new entries; open orders are cancelled.'),
    h('label', {}, 'Reason ', reason),
    h('label', {}, flatten, ' Flatten all positions'),
    killError,
    h('button', { onclick: () => dialog.close() }, 'Cancel'),
    h(
      'button',
      {
        class: 'danger',
        onclick: oneAtATime(async () => {
          const sent = await sendControl('kill', { flatten: flatten.checked, reason: reason.value });
          if (!sent) {
            showAlert(killError, controlError);
            return;
          }
          dialog.close();
          refreshOrSignOut();
        }),
      },
      'Confirm kill',
    ),
  );
  const resumeError = alertLine('control-error', controlError);
  const kill = h('button', { class: 'danger big', onclick: () => dialog.showModal() }, 'KILL');
  const resume = h(
    'button',
    {
      onclick: oneAtATime(async () => {
        if (!confirm('Resume trading?')) return;
        const sent = await sendControl('resume', { reason: 'resumed from the dashboard' });
        if (!sent) {
          showAlert(resumeError, controlError);
          return;
        }
        refreshOrSignOut();
      }),
    },
    'Resume',
  );
  // Engaged, the kill stays: a kill given without flatten is made to flatten by another kill (as the CLI's).
  return h('div', { class: 'controls' }, control.engaged ? resume : null, kill, resumeError, dialog);
}

/**
 * A control button's handler that runs once at a time: the button is disabled until the gateway has answered,
 * so a double click (or an impatient second one) sends one kill, not two (two flattens, two audit records).
 */
function oneAtATime(action: () => Promise<void>): (e: Event) => Promise<void> {
  return async (e) => {
    const button = e.currentTarget as HTMLButtonElement;
    if (button.disabled) return;
    button.disabled = true;
    try {
      await action();
    } finally {
      button.disabled = false;
    }
  };
}

/** Why the last kill or resume did not go through, or went without its record; kept across refreshes. */
let controlError = '';

/**
 * The key of each kill or resume (by action and body) whose answer never came: pressed again, it is sent
 * under the same key, so a command that went out but whose answer was lost is not given a second time.
 */
const unansweredKeys = new Map<string, string>();

function randomKey(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join(
    '',
  );
}

/** Posts a kill or resume; false (and `controlError` says why) when the gateway refused or failed it. */
async function sendControl(action: 'kill' | 'resume', body: unknown): Promise<boolean> {
  const asked = `${action} ${JSON.stringify(body)}`;
  // The gateway answers a repeat of a key with the same command, not a second one.
  const key = unansweredKeys.get(asked) ?? randomKey();
  unansweredKeys.set(asked, key);
  try {
    const sent = await api.post<{ commandId: string; audit?: string }>(`/api/control/${action}`, body, {
      'idempotency-key': key,
    });
    unansweredKeys.delete(asked);
    controlError = sent.audit
      ? `The ${action} was sent (${sent.commandId}), but the gateway could not record it (audit ${sent.audit}).`
      : '';
    return true;
  } catch (err) {
    controlError = `The ${action} did not go through: ${(err as Error).message}`;
    return false;
  }
}

function alertLine(testId: string, text: string): HTMLElement {
  const line = h('p', { class: 'error', role: 'alert', 'data-testid': testId }, text);
  line.hidden = !text;
  return line;
}

function showAlert(line: HTMLElement, text: string): void {
  line.textContent = text;
  line.hidden = false;
}

/** The kill switch as the card says it: engaged or off, and whether the kill flattens the positions held. */
function killState(control: Json): string {
  if (!control.engaged) return 'off';
  return `ENGAGED (${control.flatten ? 'flatten' : 'no flatten'}): ${control.reason}`;
}

function overview(eq: Json, control: Json, risk: Json, readiness: Json[], health: Json[]): HTMLElement {
  return section(
    'Overview',
    'overview',
    h(
      'div',
      { class: 'cards' },
      h('div', { class: 'card' }, 'Equity', h('b', { 'data-testid': 'equity' }, money(eq.equity))),
      h('div', { class: 'card' }, "Today's P&L", h('b', { 'data-testid': 'today-pnl' }, money(eq.todayPnl))),
      h('div', { class: 'card' }, 'Drawdown', h('b', {}, pct(eq.drawdownPct))),
      h(
        'div',
        { class: `card ${control.engaged ? 'red' : 'green'}` },
        'Kill switch',
        h('b', { 'data-testid': 'kill-state' }, killState(control)),
        controlAcks(control),
      ),
    ),
    killControls(control),
    risk.halts.length ? h('p', { class: 'error' }, `Halts: ${risk.halts.join('; ')}`) : null,
    h('h3', {}, 'Readiness'),
    ...readiness.map((r) =>
      h(
        'div',
        { class: 'readiness' },
        h('b', {}, `${r.strategy} `),
        ...r.criteria.map((c: Json) =>
          h(
            'span',
            { class: `light ${c.ok ? 'green' : 'red'}`, title: c.note ?? '' },
            `${c.criterion} ${c.value === null ? '–' : c.value.toFixed(2)}`,
          ),
        ),
      ),
    ),
    h('h3', {}, 'Services'),
    h(
      'div',
      {},
      ...health.map((s) =>
        h('span', { class: `light ${s.ok ? 'green' : 'red'}` }, `${s.service}: ${s.detail}`),
      ),
    ),
  );
}

/**
 * A mark older than this is flagged: market data calls a symbol stale after 30 s without an update, and
 * a position's P&L at a price from before then is not its P&L now.
 */
const MARK_STALE_MS = 60_000;
/** How often the page re-reads the API with no live event: a feed that stopped sends none. */
const QUIET_REFRESH_MS = 30_000;

/** A position's last price, saying when it is old (a stopped feed, or a restart's last candle). */
function markCell(p: Json): HTMLElement {
  const stale = p.lastPrice !== null && Date.now() - p.lastPriceTime > MARK_STALE_MS;
  return h(
    'span',
    { 'data-testid': `mark-${p.positionId}`, ...(stale ? { class: 'stale' } : {}) },
    stale ? `${price(p.lastPrice)} (stale: ${time(p.lastPriceTime)} UTC)` : price(p.lastPrice),
  );
}

function positions(list: Json[], orders: Json[]): HTMLElement {
  return section(
    'Positions and orders',
    'positions',
    table(
      ['Symbol', 'Side', 'Qty', 'Entry', 'Last', 'P&L', 'Stop', 'TP', 'Strategy'],
      list.map((p) => [
        p.symbol,
        p.side,
        String(p.qty),
        price(p.avgEntry),
        markCell(p),
        h(
          'span',
          { class: (p.unrealizedPnl ?? 0) >= 0 ? 'up' : 'down', 'data-testid': `pnl-${p.positionId}` },
          money(p.unrealizedPnl),
        ),
        `${price(p.stopPrice)} ${p.stopVerified ? '✓ verified' : '✗ unverified'}`,
        p.takeProfits.map(price).join(', '),
        p.strategy ?? '',
      ]),
      'positions-table',
    ),
    table(
      ['Order', 'Symbol', 'Side', 'Status', 'Qty', 'Filled'],
      orders.map((o) => [o.clientOrderId, o.symbol, o.side, o.status, String(o.qty), String(o.filledQty)]),
      'orders-table',
    ),
  );
}

function decisions(list: Json[], detail: Json | undefined): HTMLElement {
  const filter = h('input', {
    'aria-label': 'filter decisions',
    placeholder: 'filter by symbol or strategy',
  }) as HTMLInputElement;
  const rows = [...list].reverse();
  const body = table(
    ['Time', 'Symbol', 'Strategy', 'Setup', 'Conf.', 'Approved', ''],
    rows.map((d) => [
      time(d.time),
      d.candidate.symbol,
      d.candidate.strategy,
      d.candidate.setup,
      d.candidate.confidence.toFixed(2),
      d.approved ? 'yes' : 'no',
      h(
        'button',
        {
          onclick: () => {
            openDecision = d.id;
            refreshOrSignOut();
          },
        },
        'open',
      ),
    ]),
    'decisions-table',
  );
  filter.addEventListener('input', () => {
    for (const tr of body.querySelectorAll('tbody tr'))
      (tr as HTMLElement).hidden = !tr.textContent?.toLowerCase().includes(filter.value.toLowerCase());
  });
  return section('Decisions', 'decisions', filter, body, detail ? decisionDetail(detail) : null);
}

function decisionDetail(d: Json): HTMLElement {
  const { decision } = d;
  return h(
    'article',
    { 'data-testid': 'decision-detail' },
    h(
      'h3',
      {},
      `${decision.candidate.symbol} ${decision.candidate.side} – correlation ${decision.correlationId}`,
    ),
    h('h4', {}, `Analyst (${decision.analyst?.meta.model ?? 'rules'})`),
    h('p', { 'data-testid': 'analyst-reasoning' }, decision.analyst?.reasoning ?? '–'),
    h('h4', {}, `Reviewer (${decision.reviewer?.meta.model ?? 'rules'})`),
    h('p', { 'data-testid': 'reviewer-reasoning' }, decision.reviewer?.reasons.join(' ') ?? '–'),
    h('h4', {}, 'Audited calls'),
    table(
      ['Agent', 'Model', 'Latency ms', 'Cost $'],
      d.agentCalls.map((c: Json) => [c.agent, c.model, String(c.latencyMs), c.costUsd.toFixed(4)]),
      'agent-calls',
    ),
    h('h4', {}, 'Fills'),
    table(
      ['Trade', 'Price', 'Qty', 'Fee'],
      d.fills.map((f: Json) => [
        f.tradeId,
        price(f.price),
        String(f.qty),
        `${f.fee.toFixed(4)} ${f.feeAsset}`,
      ]),
      'decision-fills',
    ),
  );
}

const market = new MarketView(() => refreshOrSignOut());
const pnl = new PnlView(() => refreshOrSignOut());

const NAV = [
  ['overview', 'Overview'],
  ['positions', 'Positions'],
  ['market', 'Market'],
  ['decisions', 'Decisions'],
  ['signals', 'Signals'],
  ['pnl', 'P&L'],
  ['governance', 'Governance'],
] as const;

/** A refresh queued behind typing or an open dialog, or a burst of live events. */
let pending: ReturnType<typeof setTimeout> | undefined;
const dialogOpen = (): boolean => root.querySelector('dialog[open]') !== null;

async function refresh(): Promise<void> {
  const markets = await api.get<string[]>('/api/markets');
  const series = market.pick(markets);
  const [
    eq,
    control,
    risk,
    readiness,
    health,
    pos,
    orders,
    decs,
    periods,
    totals,
    trades,
    signals,
    chart,
    gov,
  ] = await Promise.all([
    api.get<Json>('/api/equity'),
    api.get<Json>('/api/control'),
    api.get<Json>('/api/risk'),
    api.get<Json[]>('/api/readiness'),
    api.get<Json[]>('/api/health'),
    api.get<Json[]>('/api/positions'),
    api.get<Json[]>('/api/orders?open=true'),
    api.get<Json[]>('/api/decisions'),
    api.get<Json[]>(`/api/pnl?period=${pnl.period}`),
    api.get<Json>('/api/pnl/totals'),
    api.get<Json[]>('/api/trades'),
    api.get<Json[]>('/api/signals'),
    series ? api.get<Json>(`/api/market?series=${encodeURIComponent(series)}`) : Promise.resolve(undefined),
    api.get<Json>('/api/governance'),
  ]);
  const detail = openDecision
    ? await api.get<Json>(`/api/decisions/${openDecision}`).catch(() => undefined)
    : undefined;
  // Opened while this refresh read the API: rebuilding now would close it under the operator's hand.
  if (dialogOpen()) {
    pending ??= setTimeout(refreshUnlessTyping, 1_000);
    return;
  }
  root.replaceChildren(
    h(
      'header',
      {},
      h('b', {}, 'Ballast'),
      h(
        'span',
        {},
        h('span', { 'data-testid': 'who' }, `${session?.user} (${session?.role})`),
        ' ',
        h('button', { type: 'button', onclick: () => void logOut() }, 'Log out'),
      ),
    ),
    h('nav', {}, ...NAV.map(([id, label]) => h('a', { href: `#${id}` }, label))),
    overview(eq, control.state, risk, readiness, health),
    positions(pos, orders),
    market.element,
    decisions(decs, detail),
    signalsView(signals),
    pnl.element,
    governanceView(gov, session?.role === 'operator', refreshOrSignOut),
  );
  // Drawn once attached, so the charts size to their boxes.
  market.update(chart);
  pnl.update(eq, periods, totals, trades);
}

/** A refresh rebuilds the views: wait while someone is typing in one (a filter, a limit) or a dialog is open. */
function refreshUnlessTyping(): void {
  const active = document.activeElement;
  // An open dialog (the kill's) would be rebuilt closed, its reason and any error with it.
  const typing = active instanceof HTMLInputElement && root.contains(active);
  if (typing || dialogOpen()) {
    pending = setTimeout(refreshUnlessTyping, 1_000);
    return;
  }
  pending = undefined;
  refreshOrSignOut();
}

const SESSION_ENDED = 'Your session ended (logged out, expired, or the gateway restarted): log in again.';

/** A refresh refused 401 means the session is gone: the login form, not a page frozen on old figures. */
function refreshOrSignOut(): void {
  refresh().catch((err: unknown) => {
    if (err instanceof ApiError && err.status === 401) signedOut(SESSION_ENDED);
    else console.error('dashboard refresh failed', err);
  });
}

let events: EventSource | undefined;
let quiet: ReturnType<typeof setInterval> | undefined;

function signedOut(message: string): void {
  events?.close();
  events = undefined;
  clearInterval(quiet);
  quiet = undefined;
  if (pending) clearTimeout(pending);
  pending = undefined;
  session = undefined;
  loginView(message);
}

async function logOut(): Promise<void> {
  await api.logout().catch(() => undefined);
  signedOut('');
}

function start(): void {
  refreshOrSignOut();
  openEvents();
  clearInterval(quiet);
  quiet = setInterval(() => {
    pending ??= setTimeout(refreshUnlessTyping, 0);
  }, QUIET_REFRESH_MS);
}

function openEvents(): void {
  events?.close();
  const stream = new EventSource('/api/events');
  events = stream;
  // The browser retries a dropped stream by itself; it gives up (CLOSED) only when the reconnect is
  // refused, as it is once the session ended (the gateway ends the stream at logout or expiry, then 401).
  stream.onerror = () => {
    if (stream.readyState !== EventSource.CLOSED || events !== stream) return;
    void api.session().then((s) => {
      if (events !== stream) return;
      if (!s) return signedOut(SESSION_ENDED);
      session = s;
      openEvents();
    });
  };
  // Any live event re-reads the views; bursts collapse into one refresh.
  stream.onmessage = () => undefined;
  for (const kind of [
    'position',
    'order',
    'stop',
    'price',
    'candle',
    'decision',
    'candidate',
    'kill',
    'resume',
    'ack',
    'alert',
  ])
    stream.addEventListener(kind, () => {
      if (pending) return;
      pending = setTimeout(refreshUnlessTyping, 200);
    });
}

// The opt-in public results need no session; the gateway answers 404 for /public unless opted in.
if (location.pathname === '/public') void publicPage(root);
else
  void api.session().then((s) => {
    session = s;
    if (s) start();
    else loginView();
  });
