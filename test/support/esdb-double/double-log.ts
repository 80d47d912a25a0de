import { randomUUID } from 'node:crypto';

/**
 * The storage of the EventStoreDB test double: one log in memory, kept apart from the gRPC server so that a
 * server can be stopped and another started on the same log (the server "went away and came back").
 */

/** An event as the double stores it: what the client proposed, plus what the server assigns. */
export interface DoubleRecord {
  readonly streamName: string;
  readonly revision: bigint;
  readonly id: string;
  readonly type: string;
  readonly contentType: string;
  readonly data: Uint8Array;
  readonly customMetadata: Uint8Array;
  /** 100-nanosecond ticks since the Unix epoch, as the server sends `created`. */
  readonly created: bigint;
  /** Commit and prepare position: one number, as a real server has for an event of a non-transactional write. */
  readonly position: bigint;
}

export interface ProposedEvent {
  readonly id: string;
  readonly type: string;
  readonly contentType: string;
  readonly data: Uint8Array;
  readonly customMetadata: Uint8Array;
}

/** What the writer expects of the stream: a revision, or one of the named states. */
export type DoubleExpected = bigint | 'no_stream' | 'any' | 'stream_exists';

export type AppendOutcome =
  | { readonly ok: true; readonly revision: bigint; readonly position: bigint }
  | { readonly ok: false; readonly current: bigint | 'no_stream'; readonly expected: DoubleExpected };

/** Where the first record goes: a real log never starts user events at 0 either. */
const FIRST_POSITION = 1_000n;

export class DoubleLog {
  readonly all: DoubleRecord[] = [];
  private readonly streams = new Map<string, DoubleRecord[]>();
  private readonly listeners = new Set<() => void>();
  private nextPosition = FIRST_POSITION;

  /** With `systemEvents`, the log starts with a `$`-typed event in a `$` stream, as a real server's does. */
  constructor(options: { systemEvents?: boolean } = {}) {
    if (options.systemEvents ?? true) this.writeSystemEvent();
  }

  /** Appends a `$`-typed event to a system stream (a real server writes such events into `$all`). */
  writeSystemEvent(): void {
    const stream = '$stats-127.0.0.1:2113';
    this.append(stream, 'any', [
      {
        id: randomUUID(),
        type: '$statsCollected',
        contentType: 'application/json',
        data: Buffer.from('{}'),
        customMetadata: new Uint8Array(),
      },
    ]);
  }

  stream(streamName: string): readonly DoubleRecord[] | undefined {
    return this.streams.get(streamName);
  }

  append(streamName: string, expected: DoubleExpected, events: readonly ProposedEvent[]): AppendOutcome {
    const existing = this.streams.get(streamName);
    const current = existing ? BigInt(existing.length - 1) : 'no_stream';
    const holds =
      expected === 'any' ||
      (expected === 'no_stream' && current === 'no_stream') ||
      (expected === 'stream_exists' && current !== 'no_stream') ||
      (typeof expected === 'bigint' && current === expected);
    if (!holds) return { ok: false, current, expected };
    const records = existing ?? [];
    if (!existing) this.streams.set(streamName, records);
    const created = BigInt(Date.now()) * 10_000n;
    for (const event of events) {
      const record: DoubleRecord = {
        ...event,
        streamName,
        revision: BigInt(records.length),
        created,
        position: this.nextPosition,
      };
      // Positions are byte offsets in a real log: growing by more than one, with gaps.
      this.nextPosition += 64n + BigInt(event.data.length + event.customMetadata.length);
      records.push(record);
      this.all.push(record);
    }
    if (events.length > 0) for (const listener of this.listeners) listener();
    return { ok: true, revision: BigInt(records.length - 1), position: records[records.length - 1]?.position ?? 0n };
  }

  /** Calls `listener` after every append; the returned function stops that. */
  onAppend(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The index in `all` of the first record at or after `position`. */
  indexAtOrAfter(position: bigint): number {
    let low = 0;
    let high = this.all.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (this.all[middle]!.position < position) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}
