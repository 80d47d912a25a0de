import type { GlobalPosition } from '../event-store/event-store.port';

export const CHECKPOINT_STORE = Symbol('CheckpointStore');

/**
 * Where each durable reaction to the event store stopped: the position of the last event it has fully applied,
 * under the reaction's name. A reaction starts its subscription after `load`, and saves once a batch is applied.
 */
export interface CheckpointStore {
  /** The saved position, 0 when the reaction never saved one. */
  load(name: string): Promise<GlobalPosition>;
  save(name: string, position: GlobalPosition): Promise<void>;
}
