import { CommandMetadata, findingDecider, findingStreamName } from '@zhenggai/domain';
import { decideAndAppend, newStream } from '../command-handling/decide-and-append';
import { newIdFor } from '../ids/command-id';
import { References } from '../references/references';
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

/** 发现问题: a new finding stream (a retried command names the same one, and answers with what it holds). */
export async function fileFinding(
  deps: UseCaseDeps,
  input: FileFindingInput,
  metadata: CommandMetadata,
): Promise<UseCaseResult> {
  const references = new References(deps);
  await references.region(metadata.actor, input.regionId, 'regionId');
  await references.category(input.category, 'category');
  await references.evidence(metadata.actor, input.evidence, 'evidence');
  const findingId = newIdFor(deps.ids, metadata, 'finding');
  const result = await decideAndAppend(
    deps.store,
    findingDecider,
    findingStreamName(findingId),
    {
      type: 'FileFinding',
      data: { findingId, ...input, evidence: [...input.evidence] },
      metadata,
    },
    { loaded: newStream(findingDecider), cache: deps.cache },
  );
  return { id: findingId, revision: result.revision };
}
