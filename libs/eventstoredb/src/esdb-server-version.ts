import type { EventStoreDBClient } from '@eventstore/db-client';

/**
 * The oldest server the adapter runs on. Before EventStoreDB 22.6 a stream read gives no event its `$all`
 * position (the server sends "no position", which the client reads as 2^64 − 1 for every event), and the port's
 * positions order events. KurrentDB continues the numbering (24.x, 25.x…).
 */
export const MINIMUM_SERVER_VERSION = '22.6';

const NEEDED = `整改 needs EventStoreDB ${MINIMUM_SERVER_VERSION} or later, or KurrentDB`;

/** The server at the connection string is older than `MINIMUM_SERVER_VERSION`, or does not say its version. */
export class UnsupportedServerError extends Error {
  constructor(
    /** What the server reports; `null`: it has no ServerFeatures service (EventStoreDB before 21.10). */
    readonly serverVersion: string | null,
  ) {
    const server =
      serverVersion === null
        ? 'EventStoreDB without the ServerFeatures service (older than 21.10)'
        : `EventStoreDB ${serverVersion}`;
    super(`${server} is too old: ${NEEDED}, as older servers give stream reads no $all position to order events by`);
    this.name = 'UnsupportedServerError';
  }
}

/**
 * A read event came without its `$all` position: the server is older than it said, or the event was written in a (TCP)
 * transaction.
 */
export class MissingPositionError extends Error {
  constructor(streamName: string, revision: bigint) {
    super(
      `EventStoreDB gave event ${revision} of ${streamName} no $all ` +
        `position, so it cannot be ordered among the others: ${NEEDED}`,
    );
    this.name = 'MissingPositionError';
  }
}

/** Whether a server's version (`major.minor[.patch][-suffix]`) is `MINIMUM_SERVER_VERSION` or later. */
export function isSupportedServerVersion(version: string): boolean {
  const [major, minor] = majorMinor(version) ?? [];
  const [minimumMajor, minimumMinor] = majorMinor(MINIMUM_SERVER_VERSION)!;
  if (major === undefined || minor === undefined) return false;
  return major > minimumMajor || (major === minimumMajor && minor >= minimumMinor);
}

function majorMinor(version: string): [number, number] | null {
  const match = /^(\d+)\.(\d+)(?:[.-]|$)/.exec(version.trim());
  return match ? [Number(match[1]), Number(match[2])] : null;
}

/** The answer of the client's ServerFeatures call: `serverVersion` is 'unknown' where the service is missing. */
interface ServerFeatures {
  readonly serverVersion: string;
}

/**
 * The version the server reports through its ServerFeatures service; `null` when it has none (before 21.10).
 * The client asks that service once per connection (it chooses BatchAppend by the answer) and keeps the answer
 * behind a getter its typings mark `protected`: reading it there asks over the client's own channel, with its
 * credentials and its choice of node, which a call of our own would have to rebuild from the connection string.
 */
export async function serverVersionOf(client: EventStoreDBClient): Promise<string | null> {
  const features: unknown = await (client as unknown as { readonly capabilities?: Promise<unknown> }).capabilities;
  if (!isServerFeatures(features)) {
    throw new Error(
      '@eventstore/db-client no longer exposes the server features it fetched: the server version cannot be checked',
    );
  }
  const version = features.serverVersion.trim();
  return version === '' || version === 'unknown' ? null : version;
}

function isServerFeatures(value: unknown): value is ServerFeatures {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { serverVersion?: unknown }).serverVersion === 'string'
  );
}
