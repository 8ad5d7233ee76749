import { CONFIG_KEYS, type ConfigChanged, Subjects, subject } from '@ballast/contracts';
import { DEFAULT_RISK_LIMITS, readinessKeys } from '@ballast/core';
import { BotStateRepository, ConfigChangeRepository, diffConfig, LiveOverrideRepository } from '@ballast/db';
import { SystemClock } from '@ballast/service-kit';
import { waitFor } from '@ballast/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Harness, type Login, login, PASSWORDS, startHarness } from './testing/harness';

let h: Harness;
let operator: Login;
let viewer: Login;

beforeAll(async () => {
  h = await startHarness('gw_gov');
  operator = await login(h.gateway.url, 'olivia', PASSWORDS.op);
  viewer = await login(h.gateway.url, 'victor', PASSWORDS.view);
}, 120_000);

afterAll(async () => {
  await h?.close();
});

const put = (who: Login, path: string, body: unknown, on: Harness = h) =>
  fetch(`${on.gateway.url}${path}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', cookie: who.cookie, 'x-csrf-token': who.csrfToken },
    body: JSON.stringify(body),
  });
// biome-ignore lint/suspicious/noExplicitAny: JSON answers checked field by field below
const get = async (path: string): Promise<any> =>
  (await fetch(`${h.gateway.url}${path}`, { headers: { cookie: viewer.cookie } })).json();

/** The refusal of an allowance below the stop-limit offset: the message risk logs when it refuses such limits. */
const uncovered = (allowance: number, offset: number) => ({
  error: 'invalid_limits',
  message:
    `stopExitAllowanceBps (${allowance}) is below STOP_LIMIT_OFFSET_BPS (${offset}, the stops service's ` +
    `stop-limit offset): entries would pass risk that their stop cannot sell; raise stopExitAllowanceBps to at least ${offset}`,
});

describe('governance', () => {
  it('records an operator’s risk-limit change with who, when, why and the diff, and puts it in force', async () => {
    const before = Date.now();
    const res = await put(operator, '/api/config/risk-limits', {
      limits: { dailyLoss: 0.03, maxOpenPositions: 4 },
      reason: 'tighter after a volatile week',
    });
    expect(res.status).toBe(200);
    const change = (await res.json()) as { createdAt: number };
    expect(change).toMatchObject({
      kind: 'risk_limits',
      subject: 'risk',
      actor: 'olivia',
      source: 'gateway',
      reason: 'tighter after a volatile week',
      diff: [
        { path: 'dailyLoss', from: DEFAULT_RISK_LIMITS.dailyLoss, to: 0.03 },
        { path: 'maxOpenPositions', from: DEFAULT_RISK_LIMITS.maxOpenPositions, to: 4 },
      ],
      figures: null,
    });
    expect(change.createdAt).toBeGreaterThanOrEqual(before);
    expect((await new ConfigChangeRepository(h.db).recent(10, 'risk'))[0]).toEqual(change);
    const risk = await get('/api/risk');
    expect(risk.limits).toMatchObject({ dailyLoss: 0.03, maxOpenPositions: 4 });
    expect(risk.openPositionsLimit).toBe(4);
    const gov = await get('/api/governance');
    expect(gov.riskLimits).toMatchObject({ dailyLoss: 0.03, maxOpenPositions: 4 });
    expect(gov.changes[0]).toEqual(change);
  });

  it('refuses invalid limits, a change that changes nothing, and a viewer; none is recorded', async () => {
    const invalid = await put(operator, '/api/config/risk-limits', {
      limits: { dailyLoss: 3 },
      reason: 'typo',
    });
    expect(invalid.status).toBe(400);
    expect(((await invalid.json()) as { error: string }).error).toBe('invalid_limits');
    const same = await put(operator, '/api/config/risk-limits', {
      limits: { dailyLoss: 0.03 },
      reason: 'again',
    });
    expect(same.status).toBe(409);
    expect(((await same.json()) as { error: string }).error).toBe('no_change');
    const byViewer = await put(viewer, '/api/config/risk-limits', {
      limits: { dailyLoss: 0.5 },
      reason: 'mine',
    });
    expect(byViewer.status).toBe(403);
    const noReason = await put(operator, '/api/config/strategies/mean_reversion', { enabled: false });
    expect(noReason.status).toBe(400);
    expect(await new ConfigChangeRepository(h.db).recent(10, 'risk')).toHaveLength(1);
    expect((await get('/api/risk')).limits.dailyLoss).toBe(0.03);
  });

  it("refuses, with risk's message, limits whose stop exit allowance is below the stops service's stop-limit offset (default 50); none is recorded", async () => {
    const res = await put(operator, '/api/config/risk-limits', {
      limits: { stopExitAllowanceBps: 20 },
      reason: 'exits closer to the stop',
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual(uncovered(20, 50));
    expect(await new ConfigChangeRepository(h.db).recent(10, 'risk')).toHaveLength(1);
    expect((await get('/api/governance')).riskLimits.stopExitAllowanceBps).toBe(
      DEFAULT_RISK_LIMITS.stopExitAllowanceBps,
    );
  });

  it('switches a strategy off and on again, each switch in the trail; an unknown strategy is 404', async () => {
    const unknown = await put(operator, '/api/config/strategies/nope', { enabled: false, reason: 'gone' });
    expect(unknown.status).toBe(404);
    const off = await put(operator, '/api/config/strategies/mean_reversion', {
      enabled: false,
      reason: 'choppy market, pause it',
    });
    expect(off.status).toBe(200);
    expect(await off.json()).toMatchObject({
      kind: 'strategy_enabled',
      subject: 'mean_reversion',
      diff: [{ path: 'enabled', from: true, to: false }],
    });
    expect((await get('/api/governance')).strategies).toMatchObject({
      mean_reversion: false,
      trend_pullback: true,
    });
    await put(operator, '/api/config/strategies/mean_reversion', { enabled: true, reason: 'back on' });
    const trail = await new ConfigChangeRepository(h.db).recent(10, 'mean_reversion');
    expect(trail.map((c) => [c.actor, c.reason, c.diff[0]?.to])).toEqual([
      ['olivia', 'back on', true],
      ['olivia', 'choppy market, pause it', false],
    ]);
  });

  it('announces each recorded change on config.changed with the key it stored and the change id', async () => {
    const seen: ConfigChanged[] = [];
    const sub = await h.publisher.subscribe(
      subject(Subjects.configChanged, {}),
      (m) => void seen.push(m.payload),
      {
        durable: 'gov-test-config',
        deliverFrom: 'all',
      },
    );
    try {
      const recorded = (await new ConfigChangeRepository(h.db).recent(10)).reverse();
      expect(recorded.map((c) => c.kind)).toEqual(['risk_limits', 'strategy_enabled', 'strategy_enabled']);
      await waitFor(() => seen.length >= recorded.length, 'config.changed for each recorded change', {
        timeoutMs: 20_000,
      });
      const key = (kind: string) =>
        kind === 'risk_limits' ? CONFIG_KEYS.riskLimits : CONFIG_KEYS.strategies;
      expect(seen).toEqual(recorded.map((c) => ({ key: key(c.kind), changeId: c.id })));
    } finally {
      await sub.stop();
    }
  });

  it('shows a strategy’s lifecycle as the readiness gate left it, with the override and the figures that moved it', async () => {
    const clock = new SystemClock();
    const at = Date.UTC(2024, 5, 1);
    await new BotStateRepository(h.db, clock).set(readinessKeys.lifecycle('trend_pullback'), {
      state: 'live',
      reason: 'override',
      detail: 'live by recorded override; red: sharpe',
      since: at,
    });
    await new LiveOverrideRepository(h.db).record({
      id: 'ov-1',
      strategy: 'trend_pullback',
      reason: 'sharpe is borderline, small size',
      by: 'ana',
      redCriteria: ['sharpe'],
      createdAt: at,
      expiresAt: at + 30 * 86_400_000,
    });
    await new ConfigChangeRepository(h.db).record({
      id: 'lc-1',
      kind: 'lifecycle',
      subject: 'trend_pullback',
      actor: 'ana',
      source: 'cli',
      reason: 'override: live by recorded override; red: sharpe',
      diff: diffConfig({ state: 'shadow' }, { state: 'live' }),
      figures: { closed_trades: 41, sharpe: 0.8 },
      createdAt: at,
    });
    const gov = await get('/api/governance');
    expect(gov.lifecycles.find((l: { strategy: string }) => l.strategy === 'trend_pullback')).toEqual({
      strategy: 'trend_pullback',
      state: 'live',
      reason: 'override',
      detail: 'live by recorded override; red: sharpe',
      since: at,
      override: { by: 'ana', reason: 'sharpe is borderline, small size', redCriteria: ['sharpe'], at },
    });
    expect(gov.changes.find((c: { id: string }) => c.id === 'lc-1')).toMatchObject({
      diff: [{ path: 'state', from: 'shadow', to: 'live' }],
      figures: { closed_trades: 41, sharpe: 0.8 },
    });
  });
});

describe('governance with STOP_LIMIT_OFFSET_BPS=150 (read as the risk service reads it)', () => {
  let g: Harness;
  let op: Login;

  beforeAll(async () => {
    // Limits that cover the offset: with the default allowance (100) the gateway, as risk, refuses to start.
    g = await startHarness('gw_gov_offset', {
      STOP_LIMIT_OFFSET_BPS: '150',
      RISK_LIMITS_JSON: '{"stopExitAllowanceBps":150}',
    });
    op = await login(g.gateway.url, 'olivia', PASSWORDS.op);
  }, 120_000);

  afterAll(async () => {
    await g?.close();
  });

  it('refuses a change that lowers the allowance to 100, naming 150; records one that keeps it at least 150', async () => {
    const kept = await put(
      op,
      '/api/config/risk-limits',
      { limits: { dailyLoss: 0.03, stopExitAllowanceBps: 100 }, reason: 'tighter' },
      g,
    );
    expect(kept.status).toBe(400);
    expect(await kept.json()).toEqual(uncovered(100, 150));
    expect(await new ConfigChangeRepository(g.db).recent(10, 'risk')).toEqual([]);
    const raised = await put(
      op,
      '/api/config/risk-limits',
      { limits: { dailyLoss: 0.03, stopExitAllowanceBps: 200 }, reason: 'cover the stop-limit offset' },
      g,
    );
    expect(raised.status).toBe(200);
    expect(await raised.json()).toMatchObject({
      diff: [
        { path: 'dailyLoss', from: DEFAULT_RISK_LIMITS.dailyLoss, to: 0.03 },
        { path: 'stopExitAllowanceBps', from: 150, to: 200 },
      ],
    });
  });

  it('keeps both of two changes made at once: neither is written over the limits or switches the other read', async () => {
    const other = await login(g.gateway.url, 'olivia', PASSWORDS.op);
    const answers = await Promise.all([
      put(op, '/api/config/risk-limits', { limits: { maxOpenPositions: 2 }, reason: 'fewer at once' }, g),
      put(other, '/api/config/risk-limits', { limits: { maxExposure: 0.4 }, reason: 'less exposure' }, g),
      put(op, '/api/config/strategies/mean_reversion', { enabled: false, reason: 'pause it' }, g),
      put(other, '/api/config/strategies/trend_pullback', { enabled: false, reason: 'pause it too' }, g),
    ]);
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    const gov = (await (
      await fetch(`${g.gateway.url}/api/governance`, { headers: { cookie: op.cookie } })
    ).json()) as { riskLimits: Record<string, unknown>; strategies: Record<string, boolean> };
    // Each change's trail entry says it is in force: so it must be.
    expect(gov.riskLimits).toMatchObject({ maxOpenPositions: 2, maxExposure: 0.4 });
    expect(gov.strategies).toMatchObject({ mean_reversion: false, trend_pullback: false });
  });
});
