import type { Kysely } from 'kysely';
import type { Database } from '../database';
import { DbError } from '../db-error';
import { finite, toNumber } from '../to-number';

export interface StopCoverageSample {
  source: string;
  sampledAt: number;
  openPositions: number;
  protectedPositions: number;
}

export interface StopCoverageSummary {
  samples: number;
  /** Samples that saw an open position: the only ones that say anything about coverage. */
  withPositions: number;
  openPositions: number;
  protectedPositions: number;
}

/** Open positions and how many had a protective stop, sampled over time (by the stops service). */
export class StopCoverageRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async record(sample: StopCoverageSample): Promise<void> {
    const { openPositions: open, protectedPositions: covered } = sample;
    if (!Number.isInteger(open) || !Number.isInteger(covered) || open < 0 || covered < 0 || covered > open)
      throw new DbError('invalid_value', `stop coverage ${covered}/${open} is not 0 ≤ protected ≤ open`);
    await this.db
      .insertInto('stop_coverage_samples')
      .values({
        source: sample.source,
        sampled_at: finite(sample.sampledAt, 'sampledAt'),
        open_positions: open,
        protected_positions: covered,
      })
      .onConflict((oc) => oc.columns(['source', 'sampled_at']).doNothing())
      .execute();
  }

  /** Sums over the samples in [from, to]. */
  async summary(from: number, to: number): Promise<StopCoverageSummary> {
    const row = await this.db
      .selectFrom('stop_coverage_samples')
      .select((eb) => [
        eb.fn.countAll<string | number | bigint>().as('samples'),
        eb.fn
          .count<string | number | bigint>('open_positions')
          .filterWhere('open_positions', '>', 0)
          .as('withPositions'),
        eb.fn.coalesce(eb.fn.sum<string | number>('open_positions'), eb.lit(0)).as('open'),
        eb.fn.coalesce(eb.fn.sum<string | number>('protected_positions'), eb.lit(0)).as('covered'),
      ])
      .where('sampled_at', '>=', from)
      .where('sampled_at', '<=', to)
      .executeTakeFirstOrThrow();
    return {
      samples: toNumber(row.samples),
      withPositions: toNumber(row.withPositions),
      openPositions: toNumber(row.open),
      protectedPositions: toNumber(row.covered),
    };
  }
}
