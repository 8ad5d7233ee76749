import {
  loadRecordedDecisions,
  type RecordedDecisionRow,
  type RecordedVerdictsSummary,
} from '@ballast/backtest';
import { openDeployedDb } from './deployed-db';

/**
 * The decisions the deployment's signals service kept (DATABASE_URL, else the PGlite directory) from
 * `sinceMs` on, for `agents: 'recorded'`: read once, read only, nothing migrated or written; how many
 * printed. None at all is refused: every candidate would be rejected for want of a verdict.
 */
export async function readRecordedDecisions(
  pgliteDir: string,
  sinceMs: number,
  print: (line: string) => void,
): Promise<RecordedDecisionRow[]> {
  const handle = await openDeployedDb('--agents recorded', pgliteDir);
  try {
    const rows = await loadRecordedDecisions(handle.db, sinceMs);
    if (rows.length === 0)
      throw new Error(
        `--agents recorded: signal_decisions at ${handle.target} holds no decision from ${new Date(sinceMs).toISOString()} on; every candidate would be rejected`,
      );
    print(`recorded decisions: ${rows.length} from ${handle.target}`);
    return rows;
  } finally {
    await handle.db.destroy();
  }
}

/** How much of the run the record decided: the rest was rejected for want of a verdict. */
export function replayedLine(s: RecordedVerdictsSummary): string {
  const asked = s.hits + s.misses;
  const differs =
    s.candidate_differs > 0
      ? `; ${s.candidate_differs} of them on another entry, stop or targets than this run's`
      : '';
  return (
    `recorded verdicts: ${s.hits} of ${asked} candidates replayed (${s.approved} approved)${differs}; ` +
    `${s.misses} without one, rejected as no_recorded_verdict`
  );
}
