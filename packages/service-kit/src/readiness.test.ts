import { describe, expect, it } from 'vitest';
import { evaluateReadiness } from './readiness';

describe('evaluateReadiness', () => {
  it('fails a check that never answers instead of hanging', async () => {
    const report = await evaluateReadiness(
      [
        { name: 'stuck', check: () => new Promise<boolean>(() => undefined) },
        { name: 'fine', check: () => true },
      ],
      undefined,
      50,
    );
    expect(report).toEqual({
      ready: false,
      failing: ['stuck'],
      checks: { stuck: { ok: false, error: 'timed out after 50 ms' }, fine: { ok: true } },
    });
  });

  it('fails a check that throws synchronously, and one that returns a non-true value', async () => {
    const report = await evaluateReadiness([
      {
        name: 'throws',
        check: () => {
          throw new Error('socket closed');
        },
      },
      { name: 'false', check: async () => false },
    ]);
    expect(report.failing).toEqual(['throws', 'false']);
    expect(report.checks.throws).toEqual({ ok: false, error: 'socket closed' });
  });

  it('is ready with no checks', async () => {
    expect(await evaluateReadiness([])).toEqual({ ready: true, failing: [], checks: {} });
  });
});
