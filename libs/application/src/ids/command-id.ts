import { CommandMetadata } from '@zhenggai/domain';
import { IdGenerator } from './id-generator.port';
import { nameBasedId } from './name-based-id';

/**
 * The id of the command a caller sends under an `Idempotency-Key` (keys are the caller's own): the same for every
 * attempt, so that a retry can find what an earlier attempt stored and create the same ids.
 */
export function commandIdOf(userId: string, idempotencyKey: string): string {
  return nameBasedId('command', `${userId}\n${idempotencyKey}`);
}

/**
 * A new id for what a command creates (`purpose` tells its ids apart: `finding`, `task`…): derived from the
 * command's id when it has one, so that every attempt of the same command names the same stream; random otherwise.
 */
export function newIdFor(ids: IdGenerator, metadata: Pick<CommandMetadata, 'commandId'>, purpose: string): string {
  return metadata.commandId ? nameBasedId(purpose, metadata.commandId) : ids.newId();
}
