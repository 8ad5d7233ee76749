import { randomBytes } from 'node:crypto';
import { userInfo } from 'node:os';
import { NatsBus, natsTarget } from '@ballast/bus';
import { type ControlAck, resumeCommand, Subjects, subject, uuidv7 } from '@ballast/contracts';
import { ackSender, unansweredEntries } from '@ballast/core';
import { natsServersFrom } from '@ballast/service-kit';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import type { Command } from 'commander';
import { flattenShortfall } from './flatten-shortfall';
import { positiveInteger } from './positive-integer';

const clock = { now: () => Date.now() };

type Options = { timeoutMs: string; services: string };

/** Exit codes of kill and resume besides 0: every expected service acknowledged (and flat). */
export const CONTROL_EXIT = {
  /** An expected service did not acknowledge in time. */
  timeout: 1,
  /** resume without --confirm. */
  unconfirmed: 2,
  /** A kill --flatten left a position not flat, or could not verify it: it has no exchange stop. */
  notFlat: 3,
  /** A service acknowledged the command without applying it (a command in force there was given later). */
  notApplied: 4,
  /** The command did not reach NATS (or its publish was not confirmed): no service has it. */
  notPublished: 5,
} as const;

/**
 * `ballast kill [--flatten] --reason "..."` and `ballast resume --confirm [--clear-drawdown]`: publish,
 * then wait for acks.
 */
export function registerControlCommands(program: Command): void {
  program
    .command('kill')
    .description('engage the kill switch: no new entries, open orders cancelled, optionally flatten')
    .requiredOption('--reason <text>', 'why (recorded with the command)')
    .option(
      '--flatten',
      'close every position with reduce-only market orders; exits 3 unless every one is verified flat',
      false,
    )
    .option('--timeout-ms <ms>', 'how long to wait for acknowledgements', '10000')
    .option(
      '--services <list>',
      'services expected to acknowledge; service@venue for each trading account (orders@binance,orders@bybit)',
      'risk,orders',
    )
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
    .description("lift the kill switch (and, when asked, risk's drawdown halt)")
    .option('--confirm', 'required: resuming trading is deliberate', false)
    .option(
      '--clear-drawdown',
      "also lift risk's drawdown halt: the current equity becomes the new peak (a restart does not lift it)",
      false,
    )
    .option('--reason <text>', 'why', 'manual resume')
    .option('--timeout-ms <ms>', 'how long to wait for acknowledgements', '10000')
    .option(
      '--services <list>',
      'services expected to acknowledge; service@venue for each trading account (orders@binance,orders@bybit)',
      'risk,orders',
    )
    .action(async (opts: Options & { confirm: boolean; reason: string; clearDrawdown: boolean }) => {
      if (!opts.confirm) {
        console.error('refusing to resume without --confirm');
        process.exitCode = CONTROL_EXIT.unconfirmed;
        return;
      }
      const payload = resumeCommand({
        reason: opts.reason,
        requestedBy: requester(),
        clearDrawdown: opts.clearDrawdown,
      });
      process.exitCode = await publishAndWait(
        'resume',
        (bus) => bus.publish(subject(Subjects.resume, {}), payload),
        opts,
      );
    });
}

/**
 * Who sent the command, for the audit. A uid with no passwd entry (a container run as `--user 12345`)
 * makes userInfo throw: the label falls back rather than block the kill.
 */
export function requester(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return `cli:${process.env.USER ?? process.env.LOGNAME ?? `uid ${process.getuid?.() ?? 'unknown'}`}`;
  }
}

/**
 * How long acknowledgements must stay quiet before a bare entry (`orders`, any venue) is judged: each
 * trading account's services answer for it, and a later venue's NOT flat must not go unread.
 */
export const BARE_ENTRY_QUIET_MS = 1_000;

/**
 * Acknowledgements by command id. Acks are kept from the moment the subscription exists, so one that
 * arrives before the publish call has returned the command's id is matched once the id is known.
 * An expected entry is a service at a venue (`orders@bybit`) or a bare service (`orders`): with one
 * risk and one orders service per trading account, a bare entry is answered once that service has answered
 * for every venue any service answered for (risk@bybit's ack makes `orders` wait for orders@bybit). Every
 * answer received counts in the verdict (one venue's NOT flat is never hidden by another's flat).
 */
export class AckCollector {
  private readonly seen: ControlAck[] = [];
  private commandId: string | undefined;
  /** By `service@exchange` (exchange blank when an older publisher left it out). */
  private readonly acked = new Map<string, ControlAck>();
  private changed: () => void = () => undefined;

  constructor(
    private readonly expected: ReadonlySet<string>,
    private readonly print: (ack: ControlAck) => void,
  ) {}

  add(ack: ControlAck): void {
    if (this.commandId === undefined) this.seen.push(ack);
    else this.match(ack);
  }

  expect(commandId: string): void {
    this.commandId = commandId;
    for (const ack of this.seen.splice(0)) this.match(ack);
  }

  missing(): string[] {
    return unansweredEntries([...this.expected], [...this.acked.values()]);
  }

  /**
   * 'acked' once nothing is missing and no answer has come for `quietMs` (a bare entry may yet be
   * answered by another venue), 'timeout' after `timeoutMs`.
   */
  settled(timeoutMs: number, quietMs: number): Promise<'acked' | 'timeout'> {
    return new Promise((resolve) => {
      let quiet: NodeJS.Timeout | undefined;
      const finish = (outcome: 'acked' | 'timeout') => {
        clearTimeout(deadline);
        clearTimeout(quiet);
        this.changed = () => undefined;
        resolve(outcome);
      };
      const deadline = setTimeout(() => finish('timeout'), timeoutMs);
      this.changed = () => {
        clearTimeout(quiet);
        if (this.missing().length === 0) quiet = setTimeout(() => finish('acked'), quietMs);
      };
      this.changed();
    });
  }

  /** The services whose switch is not what `what` asks: they kept a command they hold for later. */
  notApplied(what: 'kill' | 'resume'): string[] {
    return [...this.acked.values()]
      .filter((ack) => ack.engaged !== (what === 'kill'))
      .map((ack) => `${ackSender(ack)}: ${ack.detail}`);
  }

  /** `service: what is not flat` for each acknowledgement whose flatten left a position open. */
  notFlat(): string[] {
    return [...this.acked.values()].flatMap((ack) => {
      const left = flattenShortfall(ack);
      return left === null ? [] : [`${ackSender(ack)}: ${left}`];
    });
  }

  private match(ack: ControlAck): void {
    const key = `${ack.service}@${ack.exchange ?? ''}`;
    if (ack.commandId !== this.commandId || this.acked.has(key)) return;
    this.acked.set(key, ack);
    this.print(ack);
    this.changed();
  }
}

export async function publishAndWait(
  what: 'kill' | 'resume',
  send: (bus: NatsBus) => Promise<{ id: string }>,
  opts: Options,
): Promise<number> {
  const timeoutMs = positiveInteger('--timeout-ms', opts.timeoutMs);
  const expected = expectedServices(opts.services);
  const servers = natsServersFrom(process.env);
  // Told apart from a timeout (exit 1): the command is in no service's hands, or may not be.
  const notPublished = (err: unknown, sending: boolean) => {
    const at = natsTarget(servers).servers.join(',');
    const told = sending
      ? `${what} NOT confirmed published (see 'ballast status' before sending it again: a second kill with --flatten is a second flatten)`
      : `${what} NOT published`;
    console.error(`${told}: NATS at ${at}: ${err instanceof Error ? err.message : String(err)}`);
    return CONTROL_EXIT.notPublished;
  };
  let bus: NatsBus;
  try {
    bus = await NatsBus.connect({
      servers,
      source: 'cli',
      clock,
      ...(process.env.BUS_PREFIX ? { prefix: process.env.BUS_PREFIX } : {}),
    });
  } catch (err) {
    return notPublished(err, false);
  }
  // A durable per run (the bus has no ephemeral consumers); it is deleted on the way out.
  const durable = `cli-${uuidv7(clock.now(), randomBytes(10))}`;
  try {
    const collector = new AckCollector(expected, (ack) =>
      console.log(`${ackSender(ack)}: ${ack.command} engaged=${ack.engaged} ${ack.detail}`),
    );
    let sub: Awaited<ReturnType<NatsBus['subscribe']>>;
    let commandId: string;
    let sending = false;
    try {
      await bus.ensureStreams();
      // Subscribed before publishing, so no acknowledgement is missed.
      sub = await bus.subscribe(subject(Subjects.controlAck, {}), (m) => collector.add(m.payload), {
        durable,
      });
      sending = true;
      commandId = (await send(bus)).id;
    } catch (err) {
      return notPublished(err, sending);
    }
    console.log(`${what} published (${commandId}); waiting for ${[...expected].join(', ')}`);
    collector.expect(commandId);
    const bare = [...expected].some((entry) => !entry.includes('@'));
    const outcome = await collector.settled(timeoutMs, bare ? BARE_ENTRY_QUIET_MS : 0);
    await sub.stop();
    if (outcome === 'timeout') console.error(`timed out waiting for: ${collector.missing().join(', ')}`);
    const notFlat = collector.notFlat();
    if (notFlat.length > 0) {
      console.error(
        `NOT FLAT after the flatten (${notFlat.join('; ')}); the kill cancelled the exchange stops, so what is left is unprotected: close it by hand`,
      );
      return CONTROL_EXIT.notFlat;
    }
    const notApplied = collector.notApplied(what);
    if (notApplied.length > 0) {
      console.error(
        `NOT APPLIED by ${notApplied.join('; ')}; a command given after this one is in force there (compare the clocks of the hosts sending commands)`,
      );
      return CONTROL_EXIT.notApplied;
    }
    return outcome === 'timeout' ? CONTROL_EXIT.timeout : 0;
  } finally {
    await bus.drain();
    // Housekeeping: a failure here is reported, never put in place of the verdict on the command.
    await deleteConsumer(servers, bus.naming.stream(Subjects.controlAck.stream), durable).catch(
      (err: unknown) => console.error(`could not delete consumer ${durable}: ${String(err)}`),
    );
  }
}

/**
 * `--services` as the entries to wait for, blanks trimmed. None is refused before anything is sent: with
 * nobody to wait for, a kill no service took would exit 0 as if every one had.
 */
export function expectedServices(raw: string): ReadonlySet<string> {
  const entries = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (entries.length === 0)
    throw new Error(`invalid --services "${raw}": name at least one service to wait for (risk,orders)`);
  return new Set(entries);
}

async function deleteConsumer(servers: readonly string[], stream: string, durable: string): Promise<void> {
  // natsTarget: nats.js ignores credentials written inside the URL (nats://cli:<password>@host).
  const nc = await connect(natsTarget(servers));
  try {
    const jsm = await jetstreamManager(nc);
    await jsm.consumers.delete(stream, durable);
  } finally {
    await nc.close();
  }
}
