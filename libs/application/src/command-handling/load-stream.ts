import { Decider, DomainEvent, eventUpcasters, UpcasterRegistry } from '@zhenggai/domain';
import { EventStore, NO_STREAM_REVISION, StoredEvent } from '../event-store/event-store.port';
import { readEach } from '../event-store/several-streams';

export interface LoadedStream<S> {
  readonly state: S;
  /** Revision of the last event, or -1 when the stream does not exist. */
  readonly revision: number;
  readonly events: readonly StoredEvent[];
}

/**
 * Read a stream, bring each event to its newest shape (`eventUpcasters`, or the registry given) and fold it
 * through a decider's `evolve`. `events` are the upcast ones.
 */
export async function loadStream<E extends DomainEvent, S>(
  store: EventStore,
  decider: Pick<Decider<never, E, S>, 'initialState' | 'evolve'>,
  streamName: string,
  upcasters: UpcasterRegistry = eventUpcasters,
): Promise<LoadedStream<S>> {
  return folded(decider, upcasters.upcastAll(await store.readStream(streamName)));
}

/** Several streams as `loadStream` loads one, read at once (`readEach`): by stream name. */
export async function loadStreams<E extends DomainEvent, S>(
  store: EventStore,
  decider: Pick<Decider<never, E, S>, 'initialState' | 'evolve'>,
  streamNames: readonly string[],
  upcasters: UpcasterRegistry = eventUpcasters,
): Promise<Map<string, LoadedStream<S>>> {
  const read = await readEach(store, streamNames);
  return new Map(streamNames.map((name) => [name, folded(decider, upcasters.upcastAll(read.get(name) ?? []))]));
}

function folded<E extends DomainEvent, S>(
  decider: Pick<Decider<never, E, S>, 'initialState' | 'evolve'>,
  events: StoredEvent[],
): LoadedStream<S> {
  let state = decider.initialState();
  for (const event of events) state = decider.evolve(state, { type: event.type, data: event.data } as E);
  const revision = events.length === 0 ? NO_STREAM_REVISION : events[events.length - 1].revision;
  return { state, revision, events };
}
