import { STREAMS } from '@ballast/contracts';
import { type JetStreamManager, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';

export interface PipelineIdleOptions {
  /** Work the streams cannot see, e.g. an order a service sends after acking its trigger. */
  settled?: () => boolean;
  /** Only these streams (logical names, e.g. `FEAT`): the rest may be busy (a book re-sent meanwhile). */
  streams?: readonly string[];
  /**
   * `streams` are listed in the order work flows through them: one pass over their consumers in that
   * order is enough (a handler acks after its publishes are stored, so work moving on is seen further
   * down), with no stream reads and no second pass. Cheaper, for a measurement that polls while it runs.
   */
  inFlowOrder?: boolean;
  timeoutMs?: number;
  intervalMs?: number;
}

interface Snapshot {
  lastSeqs: string;
  busy: boolean;
}

/** Watches the streams of one bus prefix; `close` when done. */
export interface PipelineWatch {
  waitIdle(options?: PipelineIdleOptions): Promise<void>;
  close(): Promise<void>;
}

export async function watchPipeline(servers: string, prefix: string): Promise<PipelineWatch> {
  const nc = await connect({ servers });
  const jsm = await jetstreamManager(nc);
  return { waitIdle: (options = {}) => waitForIdle(jsm, prefix, options), close: () => nc.close() };
}

/**
 * Waits until services on JetStream have nothing left to do: every durable consumer of the prefix's
 * streams has no pending and no unacknowledged message, twice in a row with no message stored in
 * between. A handler acks after it finished (and after its own publishes were stored), so a consumer
 * at rest with unchanged streams means the work it caused has been handed on and done.
 */
async function waitForIdle(
  jsm: JetStreamManager,
  prefix: string,
  options: PipelineIdleOptions,
): Promise<void> {
  const names = options.streams ?? STREAMS.map((s) => s.name);
  const streams = names.map((name) => `${prefix.replaceAll('.', '_')}${name}`);
  const deadline = performance.now() + (options.timeoutMs ?? 60_000);
  let previous: Snapshot | undefined;
  while (performance.now() < deadline) {
    if (options.inFlowOrder) {
      if (!(await consumersBusy(jsm, streams)) && (options.settled?.() ?? true)) return;
      await new Promise((r) => setTimeout(r, options.intervalMs ?? 5));
      continue;
    }
    const now = await snapshot(jsm, streams);
    const quiet = !now.busy && (options.settled?.() ?? true);
    if (quiet && previous && !previous.busy && previous.lastSeqs === now.lastSeqs) return;
    previous = quiet ? now : undefined;
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 5));
  }
  throw new Error(
    `the pipeline under ${prefix} did not become idle within ${options.timeoutMs ?? 60_000} ms`,
  );
}

async function snapshot(jsm: JetStreamManager, streams: string[]): Promise<Snapshot> {
  const seqs: number[] = [];
  let busy = false;
  for (const stream of streams) {
    const info = await jsm.streams.info(stream).catch(() => undefined);
    seqs.push(info?.state.last_seq ?? 0);
    if (!info || info.state.consumer_count === 0) continue;
    if (await consumersBusy(jsm, [stream])) busy = true;
  }
  return { lastSeqs: seqs.join(','), busy };
}

/** Whether a consumer of these streams has a message pending or unacknowledged, in the order given. */
async function consumersBusy(jsm: JetStreamManager, streams: readonly string[]): Promise<boolean> {
  for (const stream of streams)
    for await (const c of jsm.consumers.list(stream))
      if (c.num_pending > 0 || c.num_ack_pending > 0) return true;
  return false;
}
