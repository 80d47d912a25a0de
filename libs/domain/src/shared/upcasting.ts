import { DomainEvent } from './event';

/**
 * How an event stored in an older shape reads today. An event type that changes shape gets an upcaster, never
 * an edit in place: events already stored keep their shape (their hash covers it), readers only ever see the
 * newest. The version of a stored event is its `metadata.schemaVersion`, 1 when absent (every event written
 * so far); the writer of a changed shape records its version there. A stored type at a version is named the way
 * Eventuous names versioned event types: `V1.RectificationTaskAssigned`.
 */
export interface EventUpcaster<Old extends DomainEvent = DomainEvent, New extends DomainEvent = DomainEvent> {
  /** The stored type and the version of its shape that this upcaster reads. */
  readonly from: { readonly type: Old['type']; readonly version: number };
  /** What it becomes: version `from.version + 1` of this type (the same type, or the one it was renamed to). */
  readonly to: New['type'];
  upcast(data: Old['data']): New['data'];
}

/** An upcaster with its types checked: `upcaster<OldShape, NewShape>({ from, to, upcast })`. */
export function upcaster<Old extends DomainEvent, New extends DomainEvent>(
  definition: EventUpcaster<Old, New>,
): EventUpcaster {
  return definition as unknown as EventUpcaster;
}

/** The event as stored: its type, data and metadata (where `schemaVersion` is), whatever else it carries. */
export interface VersionedEvent {
  readonly type: string;
  readonly data: unknown;
  readonly metadata?: unknown;
}

/** Two upcasters read the same stored type and version. */
export class UpcasterRegistryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

const versionedName = (type: string, version: number) => `V${version}.${type}`;

/**
 * Every upcaster of the event types, applied where events are read for their meaning (loading a stream,
 * projecting): an event stored at version n goes through the upcasters of n, n + 1, … until none applies.
 * Verification of the hash chain reads the stored shape, never this one.
 */
export class UpcasterRegistry {
  static readonly none = new UpcasterRegistry([]);
  private readonly byKey = new Map<string, EventUpcaster>();

  constructor(upcasters: readonly EventUpcaster[]) {
    for (const up of upcasters) {
      const key = versionedName(up.from.type, up.from.version);
      if (this.byKey.has(key)) throw new UpcasterRegistryError(`two upcasters read ${key}`);
      this.byKey.set(key, up);
    }
  }

  /**
   * The event in its newest shape: the same object when no upcaster applies, else a copy with the new type and data.
   */
  upcast<T extends VersionedEvent>(event: T): T {
    if (this.byKey.size === 0) return event;
    let { type, data } = event;
    let version = schemaVersionOf(event.metadata);
    for (let up = this.byKey.get(versionedName(type, version)); up; up = this.byKey.get(versionedName(type, version))) {
      data = up.upcast(data as never);
      type = up.to;
      version++;
    }
    return type === event.type && data === event.data ? event : { ...event, type, data };
  }

  upcastAll<T extends VersionedEvent>(events: readonly T[]): T[] {
    return events.map((event) => this.upcast(event));
  }
}

function schemaVersionOf(metadata: unknown): number {
  const version = (metadata as { schemaVersion?: unknown } | null | undefined)?.schemaVersion;
  return typeof version === 'number' && Number.isInteger(version) && version >= 1 ? version : 1;
}
