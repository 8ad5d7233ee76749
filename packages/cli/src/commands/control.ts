import { randomBytes } from 'node:crypto';
import { userInfo } from 'node:os';
import { NatsBus } from '@ballast/bus';
import { type ControlAck, Subjects, subject, uuidv7 } from '@ballast/contracts';
import type { Command } from 'commander';

const clock = { now: () => Date.now() };

type Options = { timeoutMs: string; services: string };

/** `ballast kill [--flatten] --reason "..."` and `ballast resume --confirm`: publish, then wait for acks. */
export function registerControlCommands(program: Command): void {
  program
    .command('kill')
    .description('engage the kill switch: no new entries, open orders cancelled, optionally flatten')
    .requiredOption('--reason <text>', 'why (recorded with the command)')
    .option('--flatten', 'close every position with reduce-only market orders', false)
    .option('--timeout-ms <ms>', 'how long to wait for acknowledgements', '10000')
    .option('--services <list>', 'services expected to acknowledge', 'risk,orders')
    .action(async (opts: Options & { reason: string; flatten: boolean }) => {
      const payload = { flatten: opts.flatten, reason: opts.reason, requestedBy: requester() };
      process.exitCode = await publishAndWait(
        'kill',
        (bus) => bus.publish(subject(Subjects.kill, {}), payload),
        opts,
      );
    });
  program
    .command('resume')
    .description('lift the kill switch')
    .option('--confirm', 'required: resuming trading is deliberate', false)
    .option('--reason <text>', 'why', 'manual resume')
    .option('--timeout-ms <ms>', 'how long to wait for acknowledgements', '10000')
    .option('--services <list>', 'services expected to acknowledge', 'risk,orders')
    .action(async (opts: Options & { confirm: boolean; reason: string }) => {
      if (!opts.confirm) {
        console.error('refusing to resume without --confirm');
        process.exitCode = 2;
        return;
      }
      const payload = { confirm: true as const, reason: opts.reason, requestedBy: requester() };
      process.exitCode = await publishAndWait(
        'resume',
        (bus) => bus.publish(subject(Subjects.resume, {}), payload),
        opts,
      );
    });
}

function requester(): string {
  return `cli:${userInfo().username}`;
}

async function publishAndWait(
  what: 'kill' | 'resume',
  send: (bus: NatsBus) => Promise<{ id: string }>,
  opts: Options,
): Promise<number> {
  const bus = await NatsBus.connect({
    servers: process.env.NATS_URL ?? 'nats://127.0.0.1:4222',
    source: 'cli',
    clock,
    ...(process.env.BUS_PREFIX ? { prefix: process.env.BUS_PREFIX } : {}),
  });
  try {
    await bus.ensureStreams();
    const expected = new Set(opts.services.split(',').filter(Boolean));
    const acks = new Map<string, ControlAck>();
    let commandId = '';
    let done: () => void = () => undefined;
    const allAcked = new Promise<void>((resolve) => (done = resolve));
    // Subscribed before publishing, so no acknowledgement is missed.
    const sub = await bus.subscribe(
      subject(Subjects.controlAck, {}),
      (m) => {
        if (m.payload.commandId !== commandId) return;
        acks.set(m.payload.service, m.payload);
        console.log(
          `${m.payload.service}: ${m.payload.command} engaged=${m.payload.engaged} ${m.payload.detail}`,
        );
        if ([...expected].every((s) => acks.has(s))) done();
      },
      { durable: `cli-${uuidv7(clock.now(), randomBytes(10))}` },
    );
    commandId = (await send(bus)).id;
    console.log(`${what} published (${commandId}); waiting for ${[...expected].join(', ')}`);
    const timeout = new Promise<'timeout'>((r) =>
      setTimeout(() => r('timeout'), Number(opts.timeoutMs)).unref(),
    );
    const outcome = await Promise.race([allAcked, timeout]);
    await sub.stop();
    if (outcome === 'timeout') {
      const missing = [...expected].filter((s) => !acks.has(s));
      console.error(`timed out waiting for: ${missing.join(', ')}`);
      return 1;
    }
    return 0;
  } finally {
    await bus.drain();
  }
}
