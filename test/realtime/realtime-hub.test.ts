import pino from 'pino';
import { describe, expect, it } from 'vitest';
import type { BusHandlers } from '../../src/bus/bus.js';
import { LocalBus } from '../../src/bus/local-bus.js';
import type { Clock } from '../../src/core/clock.js';
import type { EventRecord } from '../../src/store/records.js';
import type { Connection } from '../../src/server/realtime/connection.js';
import type { EncodedFrame } from '../../src/server/realtime/encoded-frame.js';
import { RealtimeHub, type HubSource } from '../../src/server/realtime/realtime-hub.js';
import type { Membership } from '../../src/store/store.js';
import { newConversation, newMember } from '../store/store-contract.js';

const event = (cid: string, id: number, type = 'text'): EventRecord => ({
  conversationId: cid,
  id,
  type,
  from: 'MEM-a',
  body: {},
  clientRef: null,
  timestamp: '2024-01-01T00:00:00.000Z',
  deleted: null,
});

/** The local bus, keeping its handlers so the test can trigger `resync` as a reconnect would. */
class TestBus extends LocalBus {
  subscribed: BusHandlers | undefined;
  override subscribe(handlers: BusHandlers): void {
    this.subscribed = handlers;
    super.subscribe(handlers);
  }
}

/** A connection that records the pushed events it was given. */
function recorder(accepts: (type: string) => boolean = () => true) {
  const got: { type: string; id?: number }[] = [];
  const connection: Connection = {
    remote: 'test',
    accepts,
    send: () => undefined,
    sendFrame: (frame: EncodedFrame) => void got.push(frame.event),
    close: () => undefined,
  };
  return { connection, ids: () => got.filter((e) => e.id !== undefined).map((e) => e.id), got };
}

const joinedTo = (cid: string, userId: string, lastEventId: number): Membership => ({
  conversation: newConversation('APP-1', { id: cid, lastEventId }),
  member: newMember(cid, userId, { id: `MEM-${userId}` }),
  readState: { lastDeliveredEventId: 0, lastSeenEventId: 0, unreadCount: 0 },
});

function setup(stored: Record<string, EventRecord[]> = {}, memberships: Membership[] = []) {
  const reads: string[] = [];
  const source: HubSource = {
    committed: (cid, startId, endId) => {
      reads.push(cid);
      return Promise.resolve(
        (stored[cid] ?? []).filter((e) => e.id >= startId && (endId === undefined || e.id <= endId)),
      );
    },
    joinedBy: (userId) => Promise.resolve(memberships.filter((m) => m.member.userId === userId)),
  };
  const timers = new Set<() => void>();
  const clock: Clock = {
    now: () => 0,
    setTimer: (fn) => {
      timers.add(fn);
      return () => timers.delete(fn);
    },
  };
  const fire = async () => {
    const due = [...timers];
    timers.clear();
    for (const fn of due) fn();
    await new Promise((r) => setImmediate(r));
  };
  const bus = new TestBus();
  const hub = new RealtimeHub(source, pino({ level: 'silent' }), bus, clock);
  return { hub, bus, reads, timers, fire };
}

describe('the realtime hub', () => {
  it('keeps no order for a conversation nobody here watches: no gap timer, no store read', async () => {
    const { bus, reads, timers, fire } = setup();
    bus.publish({ kind: 'events', cid: 'CON-elsewhere', events: [event('CON-elsewhere', 5)] });
    expect(timers.size).toBe(0);
    await fire();
    bus.subscribed?.resync();
    await fire();
    expect(reads).toEqual([]);
  });

  it('delivers in order from where a session joined, filling a gap from the store', async () => {
    const { hub, bus, reads, fire } = setup({ 'CON-1': [event('CON-1', 3)] });
    const alice = recorder();
    const session = { userId: 'USR-a', connection: alice.connection };
    hub.addSession(session);
    hub.join(session, 'CON-1', 'MEM-a', 1);
    bus.publish({ kind: 'events', cid: 'CON-1', events: [event('CON-1', 4)] });
    bus.publish({ kind: 'events', cid: 'CON-1', events: [event('CON-1', 2)] });
    expect(alice.ids()).toEqual([2]);
    await fire();
    expect(reads).toEqual(['CON-1']);
    expect(alice.ids()).toEqual([2, 3, 4]);
  });

  it('forgets a conversation when its last session here leaves, and starts afresh on the next join', () => {
    const { hub, bus } = setup();
    const first = recorder();
    const a = { userId: 'USR-a', connection: first.connection };
    hub.addSession(a);
    hub.join(a, 'CON-1', 'MEM-a', 0);
    bus.publish({ kind: 'events', cid: 'CON-1', events: [event('CON-1', 1)] });
    hub.removeSession(a);
    const second = recorder();
    const b = { userId: 'USR-b', connection: second.connection };
    hub.addSession(b);
    hub.join(b, 'CON-1', 'MEM-b', 7);
    bus.publish({ kind: 'events', cid: 'CON-1', events: [event('CON-1', 8)] });
    expect(first.ids()).toEqual([1]);
    expect(second.ids()).toEqual([8]);
  });

  it('resyncs every watched conversation after the bus reconnects', async () => {
    const { hub, bus, reads, fire } = setup({ 'CON-1': [event('CON-1', 1), event('CON-1', 2)] });
    const alice = recorder();
    const session = { userId: 'USR-a', connection: alice.connection };
    hub.addSession(session);
    hub.join(session, 'CON-1', 'MEM-a', 0);
    bus.subscribed?.resync();
    await fire();
    expect(reads).toContain('CON-1');
    expect(alice.ids()).toEqual([1, 2]);
  });

  it('catches up on joins and leaves made while the bus was down', async () => {
    // Alice joined CON-new and left CON-old while this node heard nothing.
    const { hub, bus, fire } = setup({ 'CON-new': [event('CON-new', 4)] }, [joinedTo('CON-new', 'USR-a', 3)]);
    const alice = recorder();
    const session = { userId: 'USR-a', connection: alice.connection };
    hub.addSession(session);
    hub.join(session, 'CON-old', 'MEM-USR-a', 0);
    bus.subscribed?.resync();
    await fire();
    expect(hub.memberIn(session, 'CON-old')).toBeUndefined();
    expect(hub.memberIn(session, 'CON-new')).toBe('MEM-USR-a');
    bus.publish({ kind: 'events', cid: 'CON-new', events: [event('CON-new', 4)] });
    bus.publish({ kind: 'events', cid: 'CON-old', events: [event('CON-old', 1)] });
    expect(alice.ids()).toEqual([4]);
  });

  it("subscribes a member at their join's turn and lets a leaver see their own member:left", () => {
    const { hub, bus } = setup();
    const watcher = recorder();
    const bob = recorder();
    const w = { userId: 'USR-w', connection: watcher.connection };
    const b = { userId: 'USR-b', connection: bob.connection };
    for (const s of [w, b]) hub.addSession(s);
    hub.join(w, 'CON-1', 'MEM-w', 0);
    const joined = event('CON-1', 2, 'member:joined');
    const left = event('CON-1', 3, 'member:left');
    const change = { cid: 'CON-1', userId: 'USR-b', memberId: 'MEM-b' };
    bus.publish({ kind: 'membership', change: { ...change, state: 'JOINED', event: joined } });
    bus.publish({ kind: 'events', cid: 'CON-1', events: [joined] });
    // Event 1 is still missing: nothing goes out, and Bob is not subscribed yet.
    expect(hub.memberIn(b, 'CON-1')).toBeUndefined();
    bus.publish({ kind: 'events', cid: 'CON-1', events: [event('CON-1', 1)] });
    expect(hub.memberIn(b, 'CON-1')).toBe('MEM-b');
    bus.publish({ kind: 'membership', change: { ...change, state: 'LEFT', event: left } });
    bus.publish({ kind: 'events', cid: 'CON-1', events: [left] });
    expect(watcher.ids()).toEqual([1, 2, 3]);
    expect(bob.ids()).toEqual([2, 3]);
    expect(hub.memberIn(b, 'CON-1')).toBeUndefined();
  });

  it('sends ephemeral events only to connections that accept their type', () => {
    const { hub, bus } = setup();
    const native = recorder();
    const stitch = recorder((type) => type !== 'presence:update');
    for (const [userId, connection] of [
      ['USR-n', native.connection],
      ['USR-s', stitch.connection],
    ] as const) {
      const s = { userId, connection };
      hub.addSession(s);
      hub.join(s, 'CON-1', `MEM-${userId}`, 0);
    }
    const at = '2024-01-01T00:00:00.000Z';
    bus.publish({
      kind: 'ephemeral',
      event: { type: 'presence:update', cid: 'CON-1', from: null, timestamp: at, body: {} },
    });
    bus.publish({
      kind: 'ephemeral',
      event: { type: 'text:typing:on', cid: 'CON-1', from: null, timestamp: at, body: {} },
    });
    expect(native.got.map((e) => e.type)).toEqual(['presence:update', 'text:typing:on']);
    expect(stitch.got.map((e) => e.type)).toEqual(['text:typing:on']);
  });
});
