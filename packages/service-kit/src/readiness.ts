import { type Redactor, redactUrlPasswords } from './redactor';

/** One dependency /readyz asks about (bus connected, database reachable, service started). */
export interface ReadinessCheck {
  name: string;
  check: () => Promise<boolean> | boolean;
}

export interface CheckResult {
  ok: boolean;
  /** Why it failed, redacted; absent when ok or when the check simply returned false. */
  error?: string;
}

export interface ReadinessReport {
  ready: boolean;
  /** Names of the checks that failed, for a quick read of a 503. */
  failing: string[];
  checks: Record<string, CheckResult>;
}

// A hung dependency must make /readyz fail, not hang the prober.
export const CHECK_TIMEOUT_MS = 2_000;

export async function evaluateReadiness(
  checks: readonly ReadinessCheck[],
  redact: Redactor = redactUrlPasswords,
  timeoutMs = CHECK_TIMEOUT_MS,
): Promise<ReadinessReport> {
  const results = await Promise.all(checks.map((c) => runCheck(c, redact, timeoutMs)));
  const entries = checks.map((c, i) => [c.name, results[i] ?? { ok: false }] as const);
  const failing = entries.filter(([, r]) => !r.ok).map(([name]) => name);
  return { ready: failing.length === 0, failing, checks: Object.fromEntries(entries) };
}

async function runCheck(check: ReadinessCheck, redact: Redactor, timeoutMs: number): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    const ok = await Promise.race([Promise.resolve().then(check.check), timeout]);
    return { ok: ok === true };
  } catch (err) {
    return { ok: false, error: redact(err instanceof Error ? err.message : String(err)) };
  } finally {
    clearTimeout(timer);
  }
}
