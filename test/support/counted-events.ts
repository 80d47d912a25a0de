import type { StoredEvent } from '@zhenggai/application';

/**
 * `count` events of one stream at positions `from`, `from + 1`... (type `Counted`): for the unit tests of a reaction
 * or a reader.
 */
export const countedEvents = (count: number, from = 1): StoredEvent[] =>
  Array.from({ length: count }, (_, i) => ({
    id: `e${from + i}`,
    streamName: 'counted-1',
    revision: from + i - 1,
    position: BigInt(from + i),
    type: 'Counted',
    data: {},
    metadata: {},
    recordedAt: '2018-09-30T00:00:00.000Z',
    previousHash: null,
    hash: 'h',
  }));
