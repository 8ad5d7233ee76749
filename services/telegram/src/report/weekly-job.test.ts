import { createLogger } from '@ballast/service-kit';
import { waitFor } from '@ballast/testkit';
import { describe, expect, it } from 'vitest';
import { WeeklyJob } from './weekly-job';

const WEEK_MS = 7 * 86_400_000;

describe('the weekly report job', () => {
  it('fires at the scheduled UTC weekday and hour, then arms itself a week later', async () => {
    const due = Date.UTC(2024, 0, 7, 18); // a Sunday, 18:00 UTC
    const offset = due - 400 - Date.now();
    const clock = { now: () => Date.now() + offset };
    const fired: number[] = [];
    const log = createLogger({ service: 'telegram', level: 'silent' });
    const job = new WeeklyJob(clock, { weekday: 0, hour: 18 }, async (at) => void fired.push(at), log);
    job.start();
    expect(job.nextAt).toBe(due);
    await waitFor(() => fired.length === 1, 'the scheduled run', { timeoutMs: 10_000 });
    expect(fired).toEqual([due]);
    await waitFor(() => job.nextAt === due + WEEK_MS, 'the next run armed');
    await job.stop();
  });

  it('keeps its schedule when a run fails', async () => {
    const due = Date.UTC(2024, 0, 10, 9); // a Wednesday, 09:00 UTC
    const offset = due - 200 - Date.now();
    const lines: string[] = [];
    const log = createLogger({ service: 'telegram', destination: { write: (l) => lines.push(l) } });
    const job = new WeeklyJob(
      { now: () => Date.now() + offset },
      { weekday: 3, hour: 9 },
      async () => {
        throw new Error('database unreachable');
      },
      log,
    );
    job.start();
    await waitFor(() => job.nextAt === due + WEEK_MS, 'the next run armed after the failure');
    expect(lines.some((l) => l.includes('weekly report failed') && l.includes('database unreachable'))).toBe(
      true,
    );
    await job.stop();
  });
});
