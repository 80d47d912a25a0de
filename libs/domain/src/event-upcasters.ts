import { UpcasterRegistry } from './shared/upcasting';

/**
 * The upcasters of every event type, applied when a stream is loaded and when projections read. None yet: no
 * event type has changed shape since the first release. A change adds the old shape's type (`…V1`), a new
 * `schemaVersion` in what its writer records, and an `upcaster` from the old shape to the new one here.
 */
export const eventUpcasters = new UpcasterRegistry([]);
