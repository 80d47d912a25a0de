import { CommandMetadata, findingDecider, findingStreamName, ValidationError } from '@zhenggai/domain';
import { decideAndAppend, newStream } from '../command-handling/decide-and-append';
import { requireCategory } from '../directory/defined-category';
import { coversRegion } from '../jurisdiction/jurisdiction';
import { UseCaseDeps, UseCaseResult } from './use-case-deps';

export interface FileFindingInput {
  readonly title: string;
  readonly description: string;
  readonly regionId: string;
  readonly category: string;
  readonly severity: 'low' | 'medium' | 'high';
  readonly source: string;
  readonly evidence: ReadonlyArray<{ ref: string; name?: string; sha256?: string }>;
}

/** 发现问题: a new finding stream. */
export async function fileFinding(deps: UseCaseDeps, input: FileFindingInput, metadata: CommandMetadata): Promise<UseCaseResult> {
  if (!(await deps.directory.getRegion(input.regionId)) || !(await coversRegion(deps.directory, metadata.actor, input.regionId))) {
    throw new ValidationError('regionId', `region ${input.regionId} does not exist (GET /api/regions)`, 'UNKNOWN_REGION');
  }
  await requireCategory(deps.directory, input.category, 'category');
  const findingId = deps.ids.newId();
  const result = await decideAndAppend(deps.store, findingDecider, findingStreamName(findingId), {
    type: 'FileFinding',
    data: { findingId, ...input, evidence: [...input.evidence] },
    metadata,
  }, { loaded: newStream(findingDecider), cache: deps.cache });
  return { id: findingId, revision: result.revision };
}

