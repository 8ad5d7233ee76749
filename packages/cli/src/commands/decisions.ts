import {
  type AgentCallRecord,
  AgentCallRepository,
  createDb,
  DEFAULT_PGLITE_DIR,
  migrate,
} from '@ballast/db';
import type { Command } from 'commander';
import { dateFlag } from './date-flag';
import { positiveInteger } from './positive-integer';

interface DecisionsOptions {
  readonly since: string;
  readonly limit: string;
  readonly pgliteDir: string;
}

const UNIT_MS: Record<string, number> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * `--since` as epoch ms: a duration back from now (`30m`, `1h`, `1d`, `7d`), or a date as the other date flags
 * take it (dateFlag: an ISO date on the calendar, or epoch ms). Anything else is an error naming the accepted
 * forms; Date.parse alone read `2021-02-30` as 2 March.
 */
export function parseSince(text: string, nowMs: number): number {
  const duration = /^(\d+)([mhd])$/.exec(text.trim());
  if (duration) return nowMs - Number(duration[1]) * (UNIT_MS[duration[2] ?? 'd'] ?? UNIT_MS.d ?? 0);
  try {
    return dateFlag(text.trim(), 'since');
  } catch {
    throw new Error(
      `invalid --since "${text}": use a duration like 1h, 1d, 7d, an ISO date like 2024-05-01 or epoch ms`,
    );
  }
}

const COLUMNS = [
  'time (UTC)',
  'agent',
  'provider',
  'model',
  'outcome',
  'ms',
  'tok in/out',
  'cost $',
  'correlation',
];

/** The audit rows as a fixed-width text table, one line per call. */
export function formatDecisionsTable(rows: readonly AgentCallRecord[]): string {
  const cells = rows.map((r) => [
    new Date(r.createdAt).toISOString().replace('T', ' ').slice(0, 19),
    r.agent,
    r.provider,
    r.model,
    r.fallbackUsed ? `fallback (${r.errorReason ?? 'unknown'})` : (r.errorReason ?? 'ok'),
    String(Math.round(r.latencyMs)),
    `${r.tokensIn}/${r.tokensOut}`,
    // ~: some of it counted at a ceiling (a call timed out or cut off, ADR 25), not billed by usage.
    `${(r.costEstimatedUsd ?? 0) > 0 ? '~' : ''}${r.costUsd.toFixed(5)}`,
    r.correlationId,
  ]);
  const widths = COLUMNS.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i]?.length ?? 0)));
  const line = (row: readonly string[]) =>
    row
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(COLUMNS), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

/** `ballast decisions --since 1d`: the agent audit trail (DATABASE_URL, or embedded PGlite when unset). */
export function registerDecisionsCommand(program: Command): void {
  program
    .command('decisions')
    .description('list audited agent calls (analyst, reviewer, reflector), newest first')
    .option('--since <when>', 'a duration back from now (1h, 1d, 7d), an ISO date or epoch ms', '1d')
    .option('--limit <n>', 'at most this many rows', '200')
    .option(
      '--pglite-dir <dir>',
      'PGlite data directory, used when DATABASE_URL is unset',
      DEFAULT_PGLITE_DIR,
    )
    .action((options: DecisionsOptions) => decisionsCommand(options));
}

async function decisionsCommand(options: DecisionsOptions): Promise<void> {
  const sinceMs = parseSince(options.since, Date.now());
  const limit = positiveInteger('--limit', options.limit);
  const handle = await createDb({ url: process.env.DATABASE_URL, pgliteDir: options.pgliteDir, poolSize: 1 });
  try {
    // Reading needs the table; migrating is idempotent and keeps a fresh PGlite directory usable.
    await migrate(handle.db);
    const rows = await new AgentCallRepository(handle.db).since(sinceMs, limit);
    console.log(
      rows.length === 0
        ? `no agent calls since ${new Date(sinceMs).toISOString()}`
        : formatDecisionsTable(rows),
    );
  } finally {
    await handle.db.destroy();
  }
}
