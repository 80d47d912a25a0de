import { Command, CommandMetadata, ConcurrencyError, Decider, DomainEvent, EventMetadata } from '@zhenggai/domain';
import { EventStore, EventToAppend, StoredEvent } from '../event-store/event-store.port';
import { LoadedStream, loadStream } from './load-stream';
import { StreamStateCache } from './stream-state-cache';

export interface DecideAndAppendOptions<S> {
  /** The revision the caller last saw (`If-Match`): the command is refused when the stream has moved on. */
  readonly expectedRevision?: number;
  /** Checked against the loaded state before deciding, e.g. to answer 404 for a stream that does not exist. */
  readonly precondition?: (state: S, revision: number) => void | Promise<void>;
  /**
   * Checked once the decider has accepted the command and before anything is appended, e.g. that the entities
   * the command names exist and lie within the actor's reach (a refusal here stores nothing).
   */
  readonly beforeAppend?: (state: S, events: readonly DomainEvent[]) => void | Promise<void>;
  /** Attempts when another writer got there first and the caller gave no `If-Match`; default LOST_RACE_ATTEMPTS. */
  readonly attempts?: number;
  /**
   * The stream as the caller just read it (saves a read; a stale one only costs a retry). One that `loadChecked`
   * took from the cache is trusted as far as the cache is: a refusal or a no-op on it is decided again on a fresh read.
   */
  readonly loaded?: Pick<LoadedStream<S>, 'state' | 'revision'> & { readonly fromCache?: boolean };
  /** Where this process keeps the states it last wrote; read first, updated after every append. */
  readonly cache?: StreamStateCache;
}

/**
 * How often a command without `If-Match` is decided again on the fresh stream after losing the race to another
 * writer. Each lost race means another command on the stream made progress, so this bounds only a stream written
 * without pause: forty progress reports sent at once on one task (a unit's staff, a client syncing what it queued
 * offline) are each stored, not answered 412 after the third.
 */
export const LOST_RACE_ATTEMPTS = 100;

export interface DecideAndAppendResult<S> {
  /** The stream's revision after the command (unchanged when the command changed nothing). */
  readonly revision: number;
  readonly state: S;
  /** What the command decided; empty when it changed nothing. */
  readonly events: readonly DomainEvent[];
  /**
   * True when an earlier attempt of the same command (its `commandId`) had stored these events: nothing was
   * appended now, and the revision and state are the stream's right after that attempt, as it answered then.
   */
  readonly earlierAttempt: boolean;
}

/**
 * The write path for one stream: load, check the caller's expected revision, decide, append with the loaded
 * revision as the expected one (the database enforces it), stamp every event with the command's metadata.
 * Without an `If-Match`, a lost race is retried against the fresh state; with one it is the caller's to resolve.
 *
 * A state from the cache is trusted only as far as a successful append: a refusal, a no-op or a lost race on
 * it is decided again on a fresh read, so a stale entry can cost a round trip but never a wrong answer.
 *
 * A command with a `commandId` (one its caller may send again) is decided on what is stored, never on the cache:
 * when the stream holds the events of an earlier attempt of it (their correlation id is its id), those are its
 * outcome and nothing is decided or appended again, before any check (an `If-Match` the earlier attempt moved
 * past included). A race lost to such an attempt answers with its outcome too.
 */
export async function decideAndAppend<C extends Command, E extends DomainEvent, S>(
  store: EventStore,
  decider: Decider<C, E, S>,
  streamName: string,
  command: C,
  options: DecideAndAppendOptions<S> = {},
): Promise<DecideAndAppendResult<S>> {
  const { cache } = options;
  const { commandId } = command.metadata;
  const attempts = options.expectedRevision === undefined ? (options.attempts ?? LOST_RACE_ATTEMPTS) : 1;
  const fromCache = options.loaded?.fromCache === true;
  let given: Pick<LoadedStream<S>, 'state' | 'revision'> | undefined = fromCache ? undefined : options.loaded;
  let cached = given || commandId ? undefined : fromCache ? options.loaded : cache?.get<S>(streamName);
  for (let attempt = 1; ;) {
    const fresh = cached === undefined;
    const loaded = given ?? cached ?? (await loadStream(store, decider, streamName));
    given = cached = undefined;
    const earlier = commandId ? earlierAttemptIn(decider, loaded, command.metadata) : null;
    if (earlier) return earlier;
    try {
      const outcome = await decideAndAppendOnce(store, decider, streamName, command, loaded, options);
      if (outcome.events.length === 0 && !fresh) continue;
      cache?.set(streamName, outcome.state, outcome.revision);
      return outcome;
    } catch (error) {
      cache?.forget(streamName);
      if (!fresh) continue;
      if (!(error instanceof ConcurrencyError)) throw error;
      if (commandId) {
        // Perhaps lost to an earlier attempt of this very command, still running when this one began.
        const stored = await loadStream(store, decider, streamName);
        const earlierNow = earlierAttemptIn(decider, stored, command.metadata);
        if (earlierNow) return earlierNow;
        given = stored;
      }
      if (attempt++ < attempts) continue;
      throw error;
    }
  }
}

/** The event store, and where this process keeps the states it last wrote (see `StreamStateCache`). */
export interface StreamAccess {
  readonly store: EventStore;
  /** The states this process last wrote, to skip a read before the next command on the same stream. */
  readonly cache?: StreamStateCache;
}

/**
 * A stream for a command's checks before it decides anything (e.g. the finding a task is assigned on): as this
 * process last wrote it, if it did, else as stored. `check` runs on it; a cached state it refuses is read again
 * and checked once more, so a stale entry costs a read, never a wrong refusal. Pass the result as the `loaded`
 * option of the command that follows on the same stream.
 */
export async function loadChecked<E extends DomainEvent, S>(
  { store, cache }: StreamAccess,
  decider: Pick<Decider<never, E, S>, 'initialState' | 'evolve'>,
  streamName: string,
  check: (loaded: Pick<LoadedStream<S>, 'state' | 'revision'>) => void | Promise<void>,
): Promise<Pick<LoadedStream<S>, 'state' | 'revision'> & { readonly fromCache: boolean }> {
  const cached = cache?.get<S>(streamName);
  if (cached) {
    try {
      await check(cached);
      return { ...cached, fromCache: true };
    } catch {
      // Perhaps stale: the stored stream has the last word.
    }
  }
  const stored = await loadStream(store, decider, streamName);
  await check(stored);
  return { state: stored.state, revision: stored.revision, fromCache: false };
}

/**
 * What an earlier attempt of the command (its `commandId`) stored on a stream, as in `decideAndAppend`; null when none
 * did.
 */
export async function earlierAttemptOn<E extends DomainEvent, S>(
  store: EventStore,
  decider: Pick<Decider<never, E, S>, 'initialState' | 'evolve'>,
  streamName: string,
  metadata: Pick<CommandMetadata, 'actor' | 'commandId'>,
): Promise<DecideAndAppendResult<S> | null> {
  return metadata.commandId ? earlierAttemptIn(decider, await loadStream(store, decider, streamName), metadata) : null;
}

/**
 * The outcome of an earlier attempt of the command on a stream read with its events (`loadStream`): the events of
 * its append (they carry its id, as their correlation id or beside it, and its actor: a correlation id given by
 * another user proves nothing) and the stream right after them; null when it stored none or the command has no id.
 */
export function earlierAttemptIn<E extends DomainEvent, S>(
  decider: Pick<Decider<never, E, S>, 'initialState' | 'evolve'>,
  loaded: Pick<LoadedStream<S>, 'state' | 'revision'> & Partial<Pick<LoadedStream<S>, 'events'>>,
  { actor, commandId }: Pick<CommandMetadata, 'actor' | 'commandId'>,
): DecideAndAppendResult<S> | null {
  const stored = loaded.events ?? [];
  const mine = (event: StoredEvent) =>
    commandId !== undefined &&
    (event.metadata?.commandId ?? event.metadata?.correlationId) === commandId &&
    event.metadata?.actor?.userId === actor.userId;
  let last = stored.length - 1;
  while (last >= 0 && !mine(stored[last])) last--;
  if (last < 0) return null;
  let state = decider.initialState();
  const events: DomainEvent[] = [];
  for (const event of stored.slice(0, last + 1)) {
    state = decider.evolve(state, { type: event.type, data: event.data } as E);
    if (mine(event)) events.push({ type: event.type, data: event.data });
  }
  return { revision: stored[last].revision, state, events, earlierAttempt: true };
}

async function decideAndAppendOnce<C extends Command, E extends DomainEvent, S>(
  store: EventStore,
  decider: Decider<C, E, S>,
  streamName: string,
  command: C,
  loaded: Pick<LoadedStream<S>, 'state' | 'revision'>,
  options: DecideAndAppendOptions<S>,
): Promise<DecideAndAppendResult<S>> {
  if (options.expectedRevision !== undefined && options.expectedRevision !== loaded.revision) {
    throw new ConcurrencyError(streamName, String(options.expectedRevision), String(loaded.revision));
  }
  await options.precondition?.(loaded.state, loaded.revision);
  const events = decider.decide(command, loaded.state);
  if (events.length === 0) return { revision: loaded.revision, state: loaded.state, events: [], earlierAttempt: false };
  await options.beforeAppend?.(loaded.state, events);
  const result = await store.appendToStream(streamName, eventsToAppend(command, events), {
    expectedRevision: loaded.revision < 0 ? 'no_stream' : loaded.revision,
  });
  return {
    revision: result.nextExpectedRevision,
    state: events.reduce(decider.evolve, loaded.state),
    events,
    earlierAttempt: false,
  };
}

/**
 * The metadata every event of a command carries. A command's own id is its correlation id, unless it is one of
 * several of a larger whole that correlates them (the rows of a 问题清单 import): then its events keep it beside.
 */
export function eventMetadataFor(command: Command): EventMetadata {
  const { actor, now, correlationId, causationId, commandId } = command.metadata;
  return {
    actor: { userId: actor.userId, username: actor.username, role: actor.role, unitId: actor.unitId ?? null },
    occurredAt: now,
    correlationId,
    causationId: causationId ?? null,
    ...(commandId !== undefined && commandId !== correlationId ? { commandId } : {}),
  };
}

/** A command's events as appended: each carrying the command's metadata (`eventMetadataFor`). */
export function eventsToAppend(command: Command, events: readonly DomainEvent[]): EventToAppend[] {
  const metadata = eventMetadataFor(command);
  return events.map((event) => ({ type: event.type, data: event.data, metadata: { ...metadata } }));
}

/**
 * What a stream named by a fresh id looks like before its first event: saves reading it (a clash only costs a retry).
 */
export function newStream<S>(
  decider: Pick<Decider<never, DomainEvent, S>, 'initialState'>,
): Pick<LoadedStream<S>, 'state' | 'revision'> {
  return { state: decider.initialState(), revision: -1 };
}
