import {
  authorizeRole,
  CommandMetadata,
  ConcurrencyError,
  DEFAULT_REMINDER_POLICY,
  FindingCommand,
  FindingState,
  findingDecider,
  findingStreamName,
  NotFoundError,
  QuantityTarget,
  rectificationTaskDecider,
  taskStreamName,
} from '@zhenggai/domain';
import { decideAndAppend, earlierAttemptOn, loadChecked, newStream } from '../command-handling/decide-and-append';
import { newIdFor } from '../ids/command-id';
import { coversRegion } from '../jurisdiction/jurisdiction';
import { References } from '../references/references';
import { UseCaseDeps, UseCaseResult } from './use-case-deps';

export interface AssignTaskInput {
  readonly findingId: string;
  readonly leadUnitId: string;
  readonly cooperatingUnitIds: readonly string[];
  readonly deadline: string;
  readonly measures: string;
  readonly target: QuantityTarget | null;
  readonly campaignId: string | null;
  /** Defaults to the finding's title. */
  readonly title: string | null;
  /** The finding's revision the caller last saw (`If-Match`). */
  readonly expectedFindingRevision?: number;
}

export interface AssignTaskResult extends UseCaseResult {
  readonly findingId: string;
  readonly findingRevision: number;
}

/**
 * 交办: a new task stream, then its link on the finding. The finding's checks run before anything is written,
 * so a refusal stores nothing; the link is idempotent and is also ensured by the worker's finding reactor,
 * so a crash between the two appends heals itself.
 *
 * A retried command (its `commandId`) names the same task: when an earlier attempt assigned it already, the retry
 * only makes sure of the link and answers as that attempt would have, rather than assign a second task.
 */
export async function assignTask(
  deps: UseCaseDeps,
  input: AssignTaskInput,
  metadata: CommandMetadata,
): Promise<AssignTaskResult> {
  // Who may never assign learns that before anything about the finding (which might lie outside its reach).
  authorizeRole(metadata.actor, ['inspector'], 'AssignRectificationTask');
  const findingStream = findingStreamName(input.findingId);
  const taskId = newIdFor(deps.ids, metadata, 'task');
  const link: FindingCommand = { type: 'LinkTaskToFinding', data: { taskId }, metadata };
  const assigned = await earlierAttemptOn(deps.store, rectificationTaskDecider, taskStreamName(taskId), metadata);
  if (assigned) {
    // The checks passed then: the finding it names has since moved on (by this very link, perhaps).
    const linked = await decideAndAppend(deps.store, findingDecider, findingStream, link, { cache: deps.cache });
    return { id: taskId, revision: assigned.revision, findingId: input.findingId, findingRevision: linked.revision };
  }
  // The finding as this process last wrote it, if it did: a refusal stands only on the stored one.
  const finding = await loadChecked(deps, findingDecider, findingStream, async (loaded) => {
    // A finding outside the actor's region answers as one that does not exist, before any rule can tell otherwise.
    if (
      loaded.state.status !== 'none' &&
      !(await coversRegion(deps.directory, metadata.actor, loaded.state.regionId))
    ) {
      throw new NotFoundError('Finding', input.findingId);
    }
    checkFinding(loaded, input, link);
  });
  if (finding.state.status === 'none') throw new NotFoundError('Finding', input.findingId);
  const references = new References(deps);
  await references.taskUnits(metadata.actor, finding.state.regionId, input.leadUnitId, input.cooperatingUnitIds);
  const campaign = input.campaignId ? await references.campaign(metadata.actor, input.campaignId, 'campaignId') : null;
  const reminderPolicy = (await deps.reminderPolicies?.inForce(input.campaignId)) ?? DEFAULT_REMINDER_POLICY;

  const task = await decideAndAppend(
    deps.store,
    rectificationTaskDecider,
    taskStreamName(taskId),
    {
      type: 'AssignRectificationTask',
      data: {
        taskId,
        findingId: input.findingId,
        title: input.title ?? finding.state.title,
        regionId: finding.state.regionId,
        category: finding.state.category,
        leadUnitId: input.leadUnitId,
        cooperatingUnitIds: [...input.cooperatingUnitIds],
        deadline: input.deadline,
        measures: input.measures,
        target: input.target,
        campaign,
        reminderPolicy,
        parent: null,
      },
      metadata,
    },
    { loaded: newStream(rectificationTaskDecider), cache: deps.cache },
  );
  const linked = await decideAndAppend(deps.store, findingDecider, findingStream, link, {
    loaded: finding,
    cache: deps.cache,
  });
  return { id: taskId, revision: task.revision, findingId: input.findingId, findingRevision: linked.revision };
}

/** The finding exists, is at the revision the caller saw, and would take the link: refuse before writing anything. */
function checkFinding(
  finding: { state: FindingState; revision: number },
  input: AssignTaskInput,
  link: FindingCommand,
): void {
  if (finding.state.status === 'none') throw new NotFoundError('Finding', input.findingId);
  if (input.expectedFindingRevision !== undefined && input.expectedFindingRevision !== finding.revision) {
    throw new ConcurrencyError(
      findingStreamName(input.findingId),
      String(input.expectedFindingRevision),
      String(finding.revision),
    );
  }
  findingDecider.decide(link, finding.state);
}
