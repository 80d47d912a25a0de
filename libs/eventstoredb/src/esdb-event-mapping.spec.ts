import { verifyStream, type EventToAppend } from '@zhenggai/application';
import type { ResolvedEvent } from '@eventstore/db-client';
import { chainedEvents, HASH_KEY, PREVIOUS_HASH_KEY, positionOf, toStoredEvent } from './esdb-event-mapping';
import { MissingPositionError } from './esdb-server-version';

/** What the server hands back for what the adapter wrote: the same JSON, with a revision, a position and a time. */
function asRead(streamName: string, written: ReturnType<typeof chainedEvents>, firstRevision = 0): ResolvedEvent[] {
  return written.map((event, index) => ({
    event: {
      streamId: streamName,
      id: event.id,
      revision: BigInt(firstRevision + index),
      type: event.type,
      data: JSON.parse(JSON.stringify(event.data)),
      metadata: JSON.parse(JSON.stringify(event.metadata)),
      isJson: true,
      contentType: 'application/json',
      created: new Date('2018-07-20T08:00:00.000Z'),
      position: { commit: BigInt(1000 + index * 100), prepare: BigInt(1000 + index * 100) },
    },
  })) as ResolvedEvent[];
}

describe('EventStoreDB event mapping', () => {
  const stream = 'rectificationTask-6f1c1a8e-3d55-4a0e-9a43-3c8e2f1d7b10';
  const events: EventToAppend[] = [
    {
      id: '11111111-1111-4111-8111-111111111111',
      type: 'RectificationTaskAssigned',
      data: { quantity: 217 },
      metadata: { actor: { username: '督查员' }, correlationId: 'c-1', causationId: null },
    },
    // A writer's own `$correlationId` is kept as it was written, not taken for the adapter's copy.
    {
      id: '22222222-2222-4222-8222-222222222222',
      type: 'RectificationTaskAccepted',
      data: {},
      metadata: { correlationId: 'c-2', causationId: 'e-1', $correlationId: 'mine' },
    },
  ];

  it('gives back exactly the metadata that was appended, with the chain as fields', () => {
    const written = chainedEvents(
      stream,
      events,
      events.map((e) => e.id!),
      null,
      0,
    );
    const stored = asRead(stream, written).map((resolved) => toStoredEvent(resolved)!);

    expect(stored.map((e) => e.metadata)).toEqual(events.map((e) => e.metadata));
    expect(written[0]!.metadata).toMatchObject({
      $correlationId: 'c-1',
      [PREVIOUS_HASH_KEY]: null,
      [HASH_KEY]: stored[0]!.hash,
    });
    expect(written[0]!.metadata).not.toHaveProperty('$causationId');
    expect(written[1]!.metadata).toMatchObject({
      $correlationId: 'mine',
      $causationId: 'e-1',
      [PREVIOUS_HASH_KEY]: stored[0]!.hash,
    });
    expect(stored.map((e) => e.position)).toEqual([1000n, 1100n]);
    expect(stored[0]!.recordedAt).toBe('2018-07-20T08:00:00.000Z');
    expect(verifyStream(stored)).toEqual({ ok: true, streams: 1, events: 2 });
  });

  it("chains an append onto the stream's last hash from its next revision", () => {
    const first = chainedEvents(stream, events.slice(0, 1), [events[0]!.id!], null, 0);
    const [head] = asRead(stream, first).map((resolved) => toStoredEvent(resolved)!);
    const second = chainedEvents(stream, events.slice(1), [events[1]!.id!], head!.hash, 1);
    const [next] = asRead(stream, second, 1).map((resolved) => toStoredEvent(resolved)!);

    expect(verifyStream([head!, next!])).toMatchObject({ ok: true, events: 2 });
  });

  it('hands out no system events and names an event without a hash by an empty one', () => {
    const [system] = asRead(
      '$stats-127.0.0.1:2113',
      chainedEvents(
        '$stats-127.0.0.1:2113',
        [{ type: '$statsCollected', data: {}, metadata: {} }],
        ['33333333-3333-4333-8333-333333333333'],
        null,
        0,
      ),
    );
    expect(toStoredEvent(system!)).toBeNull();
    const [foreign] = asRead(stream, chainedEvents(stream, events.slice(0, 1), [events[0]!.id!], null, 0));
    (foreign!.event as { metadata: unknown }).metadata = { written: 'by another client' };
    expect(toStoredEvent(foreign!)).toMatchObject({
      metadata: { written: 'by another client' },
      previousHash: null,
      hash: '',
    });
  });

  it('refuses an event of ours that came without its $all position, rather than order it at a made-up place', () => {
    // Servers before 22.6 send "no position" (2^64 − 1) for every event of a stream read; 0 is a field never sent.
    for (const commit of [2n ** 64n - 1n, 0n]) {
      const [read] = asRead(stream, chainedEvents(stream, events.slice(0, 1), [events[0]!.id!], null, 0), 3);
      read!.event!.position = { commit, prepare: commit };
      expect(() => toStoredEvent(read!)).toThrow(MissingPositionError);
      expect(() => toStoredEvent(read!)).toThrow(`EventStoreDB gave event 3 of ${stream} no $all position`);
    }
    // The ReadEvent's own position stands in when the recorded event's is missing.
    const [withOuter] = asRead(stream, chainedEvents(stream, events.slice(0, 1), [events[0]!.id!], null, 0));
    Object.assign(withOuter!, { commitPosition: 4096n });
    (withOuter!.event as { position?: unknown }).position = undefined;
    expect(toStoredEvent(withOuter!)?.position).toBe(4096n);
  });

  it('reads $all after a position from that position (0n: from the start)', () => {
    expect(positionOf(0n)).toBe('start');
    expect(positionOf(4096n)).toEqual({ commit: 4096n, prepare: 4096n });
  });
});
