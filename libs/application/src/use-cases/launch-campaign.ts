import { campaignDecider, campaignStreamName, CommandMetadata, ValidationError } from '@zhenggai/domain';
import { decideAndAppend, newStream } from '../command-handling/decide-and-append';
import { newIdFor } from '../ids/command-id';
import { coversRegion } from '../jurisdiction/jurisdiction';
import { References } from '../references/references';
import { UseCaseDeps, UseCaseResult } from './use-case-deps';

export interface LaunchCampaignInput {
  readonly name: string;
  readonly description: string;
  readonly deadline: string;
  readonly scope: { readonly regionId: string | null; readonly category: string | null };
  readonly targets: ReadonlyArray<{ label: string; quantity: number; unit: string }>;
}

/** 专项行动: a campaign with a deadline, a scope and quantity targets. */
export async function launchCampaign(
  deps: UseCaseDeps,
  input: LaunchCampaignInput,
  metadata: CommandMetadata,
): Promise<UseCaseResult> {
  const regionId = input.scope.regionId;
  const references = new References(deps);
  if (regionId) await references.region(metadata.actor, regionId, 'scope.regionId');
  if (!regionId && !(await coversRegion(deps.directory, metadata.actor, null))) {
    throw new ValidationError(
      'scope.regionId',
      'your campaigns cover your own region or part of it: name it in scope.regionId',
      'OUTSIDE_JURISDICTION',
    );
  }
  await references.category(input.scope.category, 'scope.category');
  const campaignId = newIdFor(deps.ids, metadata, 'campaign');
  const result = await decideAndAppend(
    deps.store,
    campaignDecider,
    campaignStreamName(campaignId),
    {
      type: 'LaunchCampaign',
      data: { campaignId, ...input, scope: { ...input.scope }, targets: input.targets.map((t) => ({ ...t })) },
      metadata,
    },
    { loaded: newStream(campaignDecider), cache: deps.cache },
  );
  return { id: campaignId, revision: result.revision };
}
