import { describeEventStoreContract } from './event-store.contract';
import { InMemoryEventStore } from '../../libs/application/src/testing/in-memory-event-store';

// The store the application's unit tests stand on behaves as the real ones do.
describeEventStoreContract('in memory', async () => {
  const store = new InMemoryEventStore();
  return { store, teardown: () => store.close() };
});
