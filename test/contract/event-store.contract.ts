import { randomBytes, randomUUID } from 'node:crypto';
import {
  appendToEach,
  chainHash,
  contentDigest,
  readEach,
  verifyStream,
  type EventStore,
  type EventToAppend,
  type GlobalPosition,
  type StoredEvent,
  type Subscription,
} from '@zhenggai/application';
import { ConcurrencyError } from '@zhenggai/domain';

export interface EventStoreContractSubject {
  readonly store: EventStore;
  teardown(): Promise<void>;
}

/** How long a test waits for something that should happen (an event becoming readable, a delivery). */
const PATIENCE_MS = 10_000;

/**
 * The behaviour every EventStore adapter must show, tested through the port only. The store may hold
 * events of earlier tests: every test uses its own streams and event types and reads the global order
 * after a marker event it appends first. Reading all events may lag an append a little (the PostgreSQL
 * adapter holds back events until older transactions end), so reads of all events wait until they see
 * what a test appended.
 */
export function describeEventStoreContract(name: string, setup: () => Promise<EventStoreContractSubject>): void {
  describe(`EventStore contract: ${name}`, () => {
    jest.setTimeout(4 * PATIENCE_MS);
    let subject: EventStoreContractSubject;
    let store: EventStore;
    const running: Subscription[] = [];

    beforeAll(async () => {
      subject = await setup();
      store = subject.store;
    });

    afterEach(async () => {
      await Promise.all(running.splice(0).map((subscription) => subscription.stop()));
    });

    afterAll(async () => {
      await subject?.teardown();
    });

    /** A stream name no other test uses, `category-id` as the port's streams are named. */
    const newStream = (category = 'contractTask') => `${category}-${randomUUID()}`;
    /** An event type prefix no other test uses. */
    const newTypePrefix = () => `Contract${randomBytes(4).toString('hex')}`;
    const event = (type: string, data: unknown = {}, metadata: Record<string, unknown> = {}): EventToAppend => ({
      type,
      data,
      metadata,
    });

    /** The position of a new marker event: whatever a test appends afterwards comes after it. */
    async function markPosition(): Promise<GlobalPosition> {
      const { position } = await store.appendToStream(newStream('contractMarker'), [event('ContractMarker')]);
      return position;
    }

    /** readAll after a position, again and again until `done` holds for what it returns. */
    async function readAllUntil(
      after: GlobalPosition,
      done: (events: StoredEvent[]) => boolean,
    ): Promise<StoredEvent[]> {
      const deadline = Date.now() + PATIENCE_MS;
      for (;;) {
        const events = await store.readAll({ after });
        if (done(events)) return events;
        if (Date.now() > deadline) throw new Error(`readAll did not show the expected events within ${PATIENCE_MS} ms`);
        await sleep(50);
      }
    }

    /** Subscribes, collecting what is delivered; `until` waits for the collected events to satisfy a condition. */
    function collect(options: Parameters<EventStore['subscribeToAll']>[1] = {}) {
      const delivered: StoredEvent[] = [];
      const subscription = store.subscribeToAll(async (events) => {
        delivered.push(...events);
      }, options);
      running.push(subscription);
      return {
        subscription,
        delivered,
        of: (streamName: string) => delivered.filter((e) => e.streamName === streamName),
        until: (condition: () => boolean) => waitFor(condition, 'the subscription to deliver'),
      };
    }

    describe('appending and reading a stream', () => {
      it('reads back what was appended: ids, types, data, metadata, revisions 0..n and growing positions', async () => {
        const stream = newStream();
        const appended = [
          {
            id: randomUUID(),
            type: 'ContractTaskAssigned',
            data: { unitId: 'u-1', quantity: 217 },
            metadata: { actor: 'inspector-1' },
          },
          { id: randomUUID(), type: 'ContractTaskAccepted', data: { note: 'ok' }, metadata: { actor: 'unit-1' } },
          {
            id: randomUUID(),
            type: 'ContractProgressReported',
            data: { done: 12.5, flags: [true, false] },
            metadata: {},
          },
        ];

        const result = await store.appendToStream(stream, appended, { expectedRevision: 'no_stream' });
        const events = await store.readStream(stream);

        expect(result.nextExpectedRevision).toBe(2);
        expect(events.map((e) => ({ id: e.id, type: e.type, data: e.data, metadata: e.metadata }))).toEqual(appended);
        expect(events.map((e) => e.revision)).toEqual([0, 1, 2]);
        expect(events.every((e) => e.streamName === stream)).toBe(true);
        expect(events.every((e) => typeof e.position === 'bigint')).toBe(true);
        expect(events[0]!.position < events[1]!.position && events[1]!.position < events[2]!.position).toBe(true);
        expect(result.position).toBe(events[2]!.position);
        for (const { recordedAt } of events) {
          expect(recordedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/);
          expect(Math.abs(Date.parse(recordedAt) - Date.now())).toBeLessThan(60_000);
        }
      });

      it('continues the revisions of a stream across appends', async () => {
        const stream = newStream();
        await store.appendToStream(stream, [event('ContractA'), event('ContractB')]);
        const second = await store.appendToStream(stream, [event('ContractC')], { expectedRevision: 1 });

        expect(second.nextExpectedRevision).toBe(2);
        expect((await store.readStream(stream)).map((e) => [e.revision, e.type])).toEqual([
          [0, 'ContractA'],
          [1, 'ContractB'],
          [2, 'ContractC'],
        ]);
      });

      it('gives an event without an id a new UUID', async () => {
        const stream = newStream();
        await store.appendToStream(stream, [event('ContractA'), event('ContractB')]);
        const [first, second] = await store.readStream(stream);

        expect(first!.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
        expect(second!.id).not.toBe(first!.id);
      });

      it('reads a stream from a revision, at most maxCount events', async () => {
        const stream = newStream();
        await store.appendToStream(
          stream,
          ['A', 'B', 'C', 'D', 'E'].map((letter) => event(`Contract${letter}`)),
        );

        expect((await store.readStream(stream, { fromRevision: 2 })).map((e) => e.revision)).toEqual([2, 3, 4]);
        expect((await store.readStream(stream, { fromRevision: 1, maxCount: 2 })).map((e) => e.revision)).toEqual([
          1, 2,
        ]);
        expect(await store.readStream(stream, { fromRevision: 5 })).toEqual([]);
      });

      it('reads an empty array for a stream that does not exist', async () => {
        expect(await store.readStream(newStream())).toEqual([]);
      });

      it('tells which of several streams have events (existingStreams)', async () => {
        const [one, two, none] = [newStream(), newStream(), newStream()];
        await store.appendToStream(one, [event('ContractA')]);
        await store.appendToStream(two, [event('ContractA'), event('ContractB')]);
        expect([...(await store.existingStreams!([one, none, two]))].sort()).toEqual([one, two].sort());
        expect([...(await store.existingStreams!([]))]).toEqual([]);
      });

      it('keeps Chinese text, emoji and nested JSON intact', async () => {
        const after = await markPosition();
        const stream = newStream();
        const data = {
          title: '蔡郢村危房改造',
          measures: ['一户一方案', '拆除旧房 217 户 / 696 间'],
          target: { quantity: 20.32, unit: '公里', nested: { deep: [{ ok: true, none: null }, [1, [2, [3]]]] } },
          quote: 'He said "持之以恒" \\ 立竿见影 ✅',
          empty: { list: [], object: {} },
        };
        const metadata = { actor: { username: '督查员-王', role: 'inspector' }, note: '全程留痕' };
        await store.appendToStream(stream, [event('ContractFindingFiled', data, metadata)]);

        const [stored] = await store.readStream(stream);
        expect(stored!.data).toEqual(data);
        expect(stored!.metadata).toEqual(metadata);
        const viaAll = await readAllUntil(after, (events) => events.some((e) => e.streamName === stream));
        expect(viaAll.find((e) => e.streamName === stream)!.data).toEqual(data);
      });
    });

    describe('expected revision', () => {
      async function streamWithTwoEvents(): Promise<string> {
        const stream = newStream();
        await store.appendToStream(stream, [event('ContractA'), event('ContractB')]);
        return stream;
      }

      async function expectConcurrencyError(append: Promise<unknown>, stream: string): Promise<void> {
        const error = await append.then(
          () => undefined,
          (thrown: unknown) => thrown,
        );
        expect(error).toBeInstanceOf(ConcurrencyError);
        expect((error as ConcurrencyError).streamName).toBe(stream);
      }

      it('appends when the expected revision is the current one', async () => {
        const stream = await streamWithTwoEvents();
        const result = await store.appendToStream(stream, [event('ContractC')], { expectedRevision: 1 });
        expect(result.nextExpectedRevision).toBe(2);
      });

      it('refuses a stale revision with a ConcurrencyError and appends nothing', async () => {
        const stream = await streamWithTwoEvents();
        await expectConcurrencyError(
          store.appendToStream(stream, [event('ContractC')], { expectedRevision: 0 }),
          stream,
        );
        await expectConcurrencyError(
          store.appendToStream(stream, [event('ContractC')], { expectedRevision: 2 }),
          stream,
        );
        expect(await store.readStream(stream)).toHaveLength(2);
      });

      it('refuses a revision for a stream that does not exist', async () => {
        const stream = newStream();
        await expectConcurrencyError(
          store.appendToStream(stream, [event('ContractA')], { expectedRevision: 0 }),
          stream,
        );
        expect(await store.readStream(stream)).toEqual([]);
      });

      it('no_stream: appends to a new stream, refuses an existing one', async () => {
        const stream = newStream();
        expect(
          (await store.appendToStream(stream, [event('ContractA')], { expectedRevision: 'no_stream' }))
            .nextExpectedRevision,
        ).toBe(0);
        await expectConcurrencyError(
          store.appendToStream(stream, [event('ContractB')], { expectedRevision: 'no_stream' }),
          stream,
        );
        expect(await store.readStream(stream)).toHaveLength(1);
      });

      it('stream_exists: refuses a new stream, appends to an existing one', async () => {
        const stream = newStream();
        await expectConcurrencyError(
          store.appendToStream(stream, [event('ContractA')], { expectedRevision: 'stream_exists' }),
          stream,
        );
        expect(await store.readStream(stream)).toEqual([]);

        await store.appendToStream(stream, [event('ContractA')]);
        const result = await store.appendToStream(stream, [event('ContractB')], { expectedRevision: 'stream_exists' });
        expect(result.nextExpectedRevision).toBe(1);
      });

      it('any (and no expected revision at all) appends whatever the stream holds', async () => {
        const stream = newStream();
        expect(
          (await store.appendToStream(stream, [event('ContractA')], { expectedRevision: 'any' })).nextExpectedRevision,
        ).toBe(0);
        expect(
          (await store.appendToStream(stream, [event('ContractB')], { expectedRevision: 'any' })).nextExpectedRevision,
        ).toBe(1);
        expect((await store.appendToStream(stream, [event('ContractC')])).nextExpectedRevision).toBe(2);
      });

      it('an empty append checks nothing and answers the current revision', async () => {
        const stream = await streamWithTwoEvents();
        const result = await store.appendToStream(stream, [], { expectedRevision: 7 });
        const [, last] = await store.readStream(stream);

        expect(result.nextExpectedRevision).toBe(1);
        expect(result.position).toBe(last!.position);
        expect((await store.appendToStream(newStream(), [])).nextExpectedRevision).toBe(-1);
        expect(await store.readStream(stream)).toHaveLength(2);
      });

      it('appends several events atomically: a refused append writes none of them', async () => {
        const stream = await streamWithTwoEvents();
        const after = await markPosition();
        const batch = [event('ContractC'), event('ContractD'), event('ContractE')];

        await expectConcurrencyError(store.appendToStream(stream, batch, { expectedRevision: 0 }), stream);
        await store.appendToStream(stream, [event('ContractWitness')], { expectedRevision: 1 });

        expect((await store.readStream(stream)).map((e) => e.type)).toEqual([
          'ContractA',
          'ContractB',
          'ContractWitness',
        ]);
        const seen = await readAllUntil(after, (events) =>
          events.some((e) => e.type === 'ContractWitness' && e.streamName === stream),
        );
        expect(seen.filter((e) => e.streamName === stream).map((e) => e.type)).toEqual(['ContractWitness']);
      });

      it('of concurrent appends expecting the same revision, exactly one succeeds', async () => {
        const stream = await streamWithTwoEvents();
        const writers = Array.from({ length: 8 }, (_, writer) =>
          store.appendToStream(stream, [event('ContractRace', { writer }), event('ContractRaceTail', { writer })], {
            expectedRevision: 1,
          }),
        );

        const outcomes = await Promise.allSettled(writers);
        const winners = outcomes.filter((outcome) => outcome.status === 'fulfilled');
        const losers = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason] : []));

        expect(winners).toHaveLength(1);
        expect(losers).toHaveLength(7);
        expect(losers.every((reason) => reason instanceof ConcurrencyError)).toBe(true);
        const events = await store.readStream(stream);
        expect(events.map((e) => e.revision)).toEqual([0, 1, 2, 3]);
        expect(events[2]!.data).toEqual(events[3]!.data);
      });
    });

    describe('several streams at once (appendToEach, readEach)', () => {
      it('appends to each stream, chained onto what it holds, and reads them back at once', async () => {
        const [first, second, fresh, absent] = [newStream(), newStream(), newStream(), newStream()];
        await store.appendToStream(first, [event('ContractA')]);
        await store.appendToStream(second, [event('ContractA'), event('ContractB')]);
        const after = await markPosition();

        const outcomes = await appendToEach(store, [
          { streamName: first, events: [event('ContractC', { n: 1 })], expectedRevision: 0 },
          { streamName: second, events: [event('ContractC', { n: 2 }), event('ContractD')], expectedRevision: 1 },
          { streamName: fresh, events: [event('ContractC', { n: 3 })], expectedRevision: 'no_stream' },
        ]);

        expect(outcomes.map((o) => o.ok && o.result.nextExpectedRevision)).toEqual([1, 3, 0]);
        const read = await readEach(store, [first, second, fresh, absent]);
        expect([first, second, fresh, absent].map((name) => read.get(name)?.map((e) => e.type))).toEqual([
          ['ContractA', 'ContractC'],
          ['ContractA', 'ContractB', 'ContractC', 'ContractD'],
          ['ContractC'],
          [],
        ]);
        for (const name of [first, second, fresh]) {
          expect(read.get(name)).toEqual(await store.readStream(name));
          expect(verifyStream(read.get(name)!).ok).toBe(true);
        }
        // Readers in position order see each stream's new events in revision order, at the positions answered.
        const all = await readAllUntil(after, (events) => events.filter((e) => e.type === 'ContractC').length === 3);
        const appended = all.filter((e) => e.type === 'ContractC' || e.type === 'ContractD');
        expect(appended.map((e) => `${e.streamName}@${e.revision}`)).toEqual(
          expect.arrayContaining([`${first}@1`, `${second}@2`, `${second}@3`, `${fresh}@0`]),
        );
        const lastOf = (name: string) => appended.filter((e) => e.streamName === name).at(-1)!.position;
        expect(outcomes.map((o) => o.ok && o.result.position)).toEqual([lastOf(first), lastOf(second), lastOf(fresh)]);
      });

      it('refuses a stream whose expected revision does not hold, and appends to the others', async () => {
        const [moved, kept, taken] = [newStream(), newStream(), newStream()];
        await store.appendToStream(moved, [event('ContractA'), event('ContractB')]);
        await store.appendToStream(kept, [event('ContractA')]);
        await store.appendToStream(taken, [event('ContractA')]);

        const outcomes = await appendToEach(store, [
          { streamName: moved, events: [event('ContractC')], expectedRevision: 0 },
          { streamName: kept, events: [event('ContractC')], expectedRevision: 0 },
          { streamName: taken, events: [event('ContractC')], expectedRevision: 'no_stream' },
        ]);

        expect(outcomes[1]).toEqual({ ok: true, result: expect.objectContaining({ nextExpectedRevision: 1 }) });
        for (const [i, stream] of [
          [0, moved],
          [2, taken],
        ] as const) {
          const outcome = outcomes[i]!;
          expect(outcome.ok).toBe(false);
          if (!outcome.ok) {
            expect(outcome.error).toBeInstanceOf(ConcurrencyError);
            expect((outcome.error as ConcurrencyError).streamName).toBe(stream);
          }
        }
        const read = await readEach(store, [moved, kept, taken]);
        expect([moved, kept, taken].map((name) => read.get(name)!.length)).toEqual([2, 2, 1]);
        expect(verifyStream(read.get(kept)!).ok).toBe(true);
      });

      it('of two appends to the same streams at once, each stream takes exactly one', async () => {
        const streams = Array.from({ length: 6 }, () => newStream());
        for (const stream of streams) await store.appendToStream(stream, [event('ContractA')]);
        const appendAll = (type: string) =>
          appendToEach(
            store,
            streams.map((streamName) => ({ streamName, events: [event(type)], expectedRevision: 0 })),
          );

        const [one, other] = await Promise.all([appendAll('ContractB'), appendAll('ContractC')]);

        for (const [i, stream] of streams.entries()) {
          expect([one[i]!.ok, other[i]!.ok].filter(Boolean)).toHaveLength(1);
          const events = await store.readStream(stream);
          expect(events).toHaveLength(2);
          expect(verifyStream(events).ok).toBe(true);
        }
      });
    });

    describe('hash chain', () => {
      const recomputed = (e: StoredEvent) =>
        chainHash(
          e.previousHash,
          e.revision,
          contentDigest({ streamName: e.streamName, type: e.type, data: e.data, metadata: e.metadata, eventId: e.id }),
        );

      it('chains every event onto the one before it in its stream; the first onto nothing', async () => {
        const stream = newStream();
        const data = {
          title: '蔡郢村危房改造 ✅',
          quantities: [217, 696, 20.32, 1e21, 1e-7],
          nested: { z: null, a: [true, { b: '😀' }] },
        };
        await store.appendToStream(stream, [
          event('ContractA', data, { actor: { username: '督查员-王' } }),
          event('ContractB'),
        ]);
        await store.appendToStream(stream, [event('ContractC', { quote: 'He said "持之以恒" \\ 立竿见影' })], {
          expectedRevision: 1,
        });
        await store.appendToStream(newStream(), [event('ContractElsewhere')]);
        await store.appendToStream(stream, [event('ContractD'), event('ContractE')], { expectedRevision: 2 });

        const events = await store.readStream(stream);

        expect(events[0]!.previousHash).toBeNull();
        for (const [index, e] of events.entries()) {
          expect(e.hash).toMatch(/^[0-9a-f]{64}$/);
          expect(e.hash).toBe(recomputed(e));
          if (index > 0) expect(e.previousHash).toBe(events[index - 1]!.hash);
        }
        expect(new Set(events.map((e) => e.hash)).size).toBe(5);
        expect(verifyStream(events)).toEqual({ ok: true, streams: 1, events: 5 });
      });

      it('hands out the same hashes when reading all events and when subscribing', async () => {
        const after = await markPosition();
        const stream = newStream();
        const subscriber = collect({ after });
        await store.appendToStream(stream, [event('ContractA'), event('ContractB')]);

        const fromStream = (await store.readStream(stream)).map((e) => [e.previousHash, e.hash]);
        const fromAll = (
          await readAllUntil(after, (all) => all.filter((e) => e.streamName === stream).length === 2)
        ).filter((e) => e.streamName === stream);
        await subscriber.until(() => subscriber.of(stream).length === 2);

        expect(fromAll.map((e) => [e.previousHash, e.hash])).toEqual(fromStream);
        expect(subscriber.of(stream).map((e) => [e.previousHash, e.hash])).toEqual(fromStream);
      });

      it(
        'concurrent appends to one stream keep one valid chain, in revision ' + 'order in the global order too',
        async () => {
          const after = await markPosition();
          const stream = newStream();
          await store.appendToStream(stream, [event('ContractFirst')]);
          const racing = Array.from({ length: 6 }, (_, writer) =>
            store.appendToStream(stream, [event('ContractRace', { writer })], { expectedRevision: 0 }),
          );
          const unchecked = Array.from({ length: 12 }, (_, writer) =>
            store.appendToStream(stream, [event('ContractAny', { writer }), event('ContractAnyTail', { writer })], {
              expectedRevision: 'any',
            }),
          );

          const outcomes = await Promise.allSettled([...racing, ...unchecked]);
          const written = await store.readStream(stream);
          const inGlobalOrder = (
            await readAllUntil(after, (all) => all.filter((e) => e.streamName === stream).length === written.length)
          ).filter((e) => e.streamName === stream);

          expect(outcomes.slice(6).every((outcome) => outcome.status === 'fulfilled')).toBe(true);
          expect(written).toHaveLength(
            1 + 24 + outcomes.slice(0, 6).filter((outcome) => outcome.status === 'fulfilled').length,
          );
          expect(verifyStream(written)).toMatchObject({ ok: true, events: written.length });
          expect(verifyStream(inGlobalOrder)).toMatchObject({ ok: true, events: written.length });
        },
      );
    });

    describe('reading all events', () => {
      it('reads the events of every stream in append order, strictly after a position', async () => {
        const after = await markPosition();
        const [a, b] = [newStream(), newStream()];
        await store.appendToStream(a, [event('ContractA1'), event('ContractA2')]);
        await store.appendToStream(b, [event('ContractB1')]);
        await store.appendToStream(a, [event('ContractA3')]);

        const ours = (events: StoredEvent[]) => events.filter((e) => e.streamName === a || e.streamName === b);
        const events = ours(await readAllUntil(after, (all) => ours(all).length === 4));

        expect(events.map((e) => e.type)).toEqual(['ContractA1', 'ContractA2', 'ContractB1', 'ContractA3']);
        expect(isStrictlyIncreasing(events.map((e) => e.position))).toBe(true);
        const afterFirst = ours(await store.readAll({ after: events[0]!.position }));
        expect(afterFirst.map((e) => e.type)).toEqual(['ContractA2', 'ContractB1', 'ContractA3']);
        expect(ours(await store.readAll({ after: events[3]!.position }))).toEqual([]);
      });

      it('pages with maxCount: the pages join up to the whole sequence', async () => {
        const after = await markPosition();
        const stream = newStream();
        await store.appendToStream(
          stream,
          Array.from({ length: 7 }, (_, n) => event('ContractPaged', { n })),
        );
        const whole = await readAllUntil(after, (all) => all.filter((e) => e.streamName === stream).length === 7);

        const paged: StoredEvent[] = [];
        for (let cursor = after; ;) {
          const page = await store.readAll({ after: cursor, maxCount: 3 });
          expect(page.length).toBeLessThanOrEqual(3);
          if (page.length === 0) break;
          paged.push(...page);
          cursor = page[page.length - 1]!.position;
        }

        expect(paged.map((e) => e.id)).toEqual(whole.map((e) => e.id));
        expect(paged.filter((e) => e.streamName === stream).map((e) => e.data.n)).toEqual([0, 1, 2, 3, 4, 5, 6]);
      });

      it('filters by event type prefix, taking the prefix literally', async () => {
        const after = await markPosition();
        const prefix = newTypePrefix();
        const stream = newStream();
        const types = [`${prefix}_Task.Assigned`, `${prefix}Xtra.Other`, `${prefix}_Task.Closed`, `${prefix}%.Odd`];
        await store.appendToStream(
          stream,
          types.map((type) => event(type)),
        );
        await readAllUntil(after, (all) => all.filter((e) => e.streamName === stream).length === 4);

        const filtered = await store.readAll({ after, eventTypePrefixes: [`${prefix}_Task`] });
        expect(filtered.map((e) => e.type)).toEqual([`${prefix}_Task.Assigned`, `${prefix}_Task.Closed`]);

        const either = await store.readAll({ after, eventTypePrefixes: [`${prefix}X`, `${prefix}%`] });
        expect(either.map((e) => e.type)).toEqual([`${prefix}Xtra.Other`, `${prefix}%.Odd`]);

        const limited = await store.readAll({ after, eventTypePrefixes: [prefix], maxCount: 2 });
        expect(limited.map((e) => e.type)).toEqual(types.slice(0, 2));
      });
    });

    describe('subscribing to all events', () => {
      it('from the start: delivers the backlog, then live events, in order', async () => {
        const stream = newStream();
        await store.appendToStream(stream, [event('ContractBacklog1'), event('ContractBacklog2')]);

        const subscriber = collect();
        await subscriber.until(() => subscriber.of(stream).length === 2);
        await store.appendToStream(stream, [event('ContractLive1')]);
        await store.appendToStream(stream, [event('ContractLive2'), event('ContractLive3')]);
        await subscriber.until(() => subscriber.of(stream).length === 5);

        expect(subscriber.of(stream).map((e) => e.revision)).toEqual([0, 1, 2, 3, 4]);
        expect(subscriber.of(stream).map((e) => e.type)).toEqual([
          'ContractBacklog1',
          'ContractBacklog2',
          'ContractLive1',
          'ContractLive2',
          'ContractLive3',
        ]);
        expect(isStrictlyIncreasing(subscriber.delivered.map((e) => e.position))).toBe(true);
        expect(new Set(subscriber.delivered.map((e) => e.id)).size).toBe(subscriber.delivered.length);
      });

      it('from a checkpoint: delivers only events strictly after it', async () => {
        const stream = newStream();
        await store.appendToStream(stream, [event('ContractOne'), event('ContractTwo'), event('ContractThree')]);
        const [, second] = await store.readStream(stream);

        const subscriber = collect({ after: second!.position });
        await subscriber.until(() => subscriber.of(stream).length >= 1);
        await store.appendToStream(stream, [event('ContractFour')]);
        await subscriber.until(() => subscriber.of(stream).length >= 2);

        expect(subscriber.of(stream).map((e) => e.type)).toEqual(['ContractThree', 'ContractFour']);
        expect(subscriber.delivered.every((e) => e.position > second!.position)).toBe(true);
      });

      it('hands over at most batchSize events at a time and waits for each batch to be handled', async () => {
        const after = await markPosition();
        const stream = newStream();
        let handling = 0;
        let overlapped = false;
        const delivered: StoredEvent[] = [];
        const batchSizes: number[] = [];
        const subscription = store.subscribeToAll(
          async (events) => {
            overlapped ||= handling > 0;
            handling++;
            batchSizes.push(events.length);
            await new Promise((resolve) => setImmediate(resolve)); // a handler that takes a turn of the event loop
            delivered.push(...events);
            handling--;
          },
          { after, batchSize: 2 },
        );
        running.push(subscription);
        await store.appendToStream(
          stream,
          Array.from({ length: 7 }, (_, n) => event('ContractBatched', { n })),
        );
        await waitFor(() => delivered.filter((e) => e.streamName === stream).length === 7, 'all seven events');

        expect(Math.max(...batchSizes)).toBeLessThanOrEqual(2);
        expect(overlapped).toBe(false);
        expect(delivered.filter((e) => e.streamName === stream).map((e) => e.data.n)).toEqual([0, 1, 2, 3, 4, 5, 6]);
      });

      it('filters by event type prefix', async () => {
        const after = await markPosition();
        const prefix = newTypePrefix();
        const stream = newStream();
        const subscriber = collect({ after, eventTypePrefixes: [`${prefix}Wanted`] });
        await store.appendToStream(stream, [
          event(`${prefix}Wanted.One`),
          event(`${prefix}Unwanted`),
          event(`${prefix}Wanted.Two`),
        ]);
        await store.appendToStream(newStream(), [event(`${prefix}Unwanted`)]);
        await store.appendToStream(stream, [event(`${prefix}Wanted.Three`)]);
        await store.appendToStream(newStream(), [event(`${prefix}Unwanted`), event(`${prefix}Wanted.Last`)]);
        await subscriber.until(() => subscriber.delivered.some((e) => e.type === `${prefix}Wanted.Last`));

        expect(subscriber.delivered.map((e) => e.type)).toEqual([
          `${prefix}Wanted.One`,
          `${prefix}Wanted.Two`,
          `${prefix}Wanted.Three`,
          `${prefix}Wanted.Last`,
        ]);
      });

      it('stop() ends delivery and settles stopped', async () => {
        const stream = newStream();
        const subscriber = collect({ after: await markPosition() });
        await store.appendToStream(stream, [event('ContractBeforeStop')]);
        await subscriber.until(() => subscriber.of(stream).length === 1);

        await subscriber.subscription.stop();
        await subscriber.subscription.stopped;
        const live = collect({ after: await markPosition() });
        await store.appendToStream(stream, [event('ContractAfterStop')]);
        await live.until(() => live.of(stream).length === 1); // delivered to a running subscription by now

        expect(subscriber.of(stream).map((e) => e.type)).toEqual(['ContractBeforeStop']);
      });

      it('a failing handler is reported to onError and stops the subscription', async () => {
        const stream = newStream();
        const failure = new Error('projection failed');
        const errors: unknown[] = [];
        let calls = 0;
        const subscription = store.subscribeToAll(
          async (events) => {
            if (events.some((e) => e.streamName === stream)) {
              calls++;
              throw failure;
            }
          },
          { after: await markPosition(), onError: (error) => errors.push(error) },
        );
        running.push(subscription);
        await store.appendToStream(stream, [event('ContractPoison')]);

        await waitFor(() => errors.length > 0, 'onError');
        await subscription.stopped.catch(() => undefined);
        const live = collect({ after: await markPosition() });
        await store.appendToStream(stream, [event('ContractAfterPoison')]);
        await live.until(() => live.of(stream).length === 1); // delivered to a running subscription by now

        expect(errors).toEqual([failure]);
        expect(calls).toBe(1);
      });
    });
  });
}

function isStrictlyIncreasing(positions: readonly GlobalPosition[]): boolean {
  return positions.every((position, index) => index === 0 || positions[index - 1]! < position);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function waitFor(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + PATIENCE_MS;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}
