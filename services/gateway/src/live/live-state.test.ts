import { MemoryBus, MemoryHub, randomIds } from '@ballast/bus';
import { resumeCommand, Subjects, subject } from '@ballast/contracts';
import { KILL_RELEASED, VirtualClock } from '@ballast/core';
import { afterEach, describe, expect, it } from 'vitest';
import { LiveState } from './live-state';

const T = 1_700_000_000_000;
const MINUTE = 60_000;
const live: LiveState[] = [];

afterEach(async () => {
  for (const l of live.splice(0)) await l.stop();
});

/** A gateway's live state at `gatewayClock`, and a bus to send control commands stamped by `senderClock`. */
async function started(gatewayClock: VirtualClock, hub: MemoryHub, senderClock: VirtualClock) {
  const bus = new MemoryBus({ source: 'gateway', clock: gatewayClock, ids: randomIds(gatewayClock), hub });
  const state = new LiveState(bus, gatewayClock, 'live-test');
  live.push(state);
  await state.start(KILL_RELEASED);
  const sender = new MemoryBus({ source: 'cli', clock: senderClock, ids: randomIds(senderClock), hub });
  return { state, sender };
}

describe('LiveState: the kill switch', () => {
  it('applies a resume given after a kill from a host whose clock runs 10 min ahead, as the services do', async () => {
    const hub = new MemoryHub();
    const gatewayClock = new VirtualClock(T);
    const fastHost = new VirtualClock(T + 10 * MINUTE);
    const { state, sender } = await started(gatewayClock, hub, fastHost);
    await sender.publish(subject(Subjects.kill, {}), {
      flatten: false,
      reason: 'fast clock',
      requestedBy: 'cli:fast-host',
    });
    await hub.idle();
    expect(state.control).toMatchObject({ engaged: true, commandAt: T });

    gatewayClock.set(T + MINUTE);
    const dashboard = new MemoryBus({ source: 'gateway', clock: gatewayClock, hub });
    const resume = await dashboard.publish(
      subject(Subjects.resume, {}),
      resumeCommand({ reason: 'all clear', requestedBy: 'gateway:olivia' }),
    );
    await hub.idle();
    expect(state.control).toMatchObject({ engaged: false, commandId: resume.id, commandAt: T + MINUTE });
  });

  it("keeps a resume given before the kill in force as ignored, with the services' refusals", async () => {
    const hub = new MemoryHub();
    const clock = new VirtualClock(T);
    const slowHost = new VirtualClock(T - MINUTE);
    const { state, sender } = await started(clock, hub, clock);
    const kill = await sender.publish(subject(Subjects.kill, {}), {
      flatten: false,
      reason: 'incident',
      requestedBy: 'cli:alice',
    });
    const slow = new MemoryBus({ source: 'cli', clock: slowHost, hub });
    const resume = await slow.publish(
      subject(Subjects.resume, {}),
      resumeCommand({ reason: 'all clear', requestedBy: 'cli:slow-host' }),
    );
    const refusal = {
      service: 'risk',
      exchange: 'binance' as const,
      command: 'resume' as const,
      commandId: resume.id,
      engaged: true,
      detail: `not applied: command ${kill.id}, given after it, is in force`,
    };
    await sender.publish(subject(Subjects.controlAck, {}), refusal);
    await hub.idle();
    expect(state.control).toMatchObject({
      engaged: true,
      commandId: kill.id,
      acks: [],
      ignored: { command: 'resume', commandId: resume.id, requestedBy: 'cli:slow-host', acks: [refusal] },
    });
  });

  it('keeps an ack that arrives before its command, as acks and commands come on separate consumers', async () => {
    const hub = new MemoryHub();
    const clock = new VirtualClock(T);
    const { state, sender } = await started(clock, hub, clock);
    const killId = '0190f3a0-0000-7000-8000-00000000a11c';
    const ack = {
      service: 'orders',
      exchange: 'binance' as const,
      command: 'kill' as const,
      commandId: killId,
      engaged: true,
      detail: 'kill applied',
    };
    await sender.publish(subject(Subjects.controlAck, {}), ack);
    await hub.idle();
    await sender.publish(
      subject(Subjects.kill, {}),
      { flatten: false, reason: 'incident', requestedBy: 'cli:alice' },
      { id: killId },
    );
    await hub.idle();
    expect(state.control).toMatchObject({ engaged: true, commandId: killId, acks: [ack], ignored: null });
  });
});
