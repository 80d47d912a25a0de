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
  RectificationTaskCommand,
  rectificationTaskDecider,
  taskStreamName,
} from '@zhenggai/domain';
import { decideAndAppend, earlierAttemptOn, eventsToAppend, loadChecked } from '../command-handling/decide-and-append';
import { appendToEach } from '../event-store/several-streams';
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
 * 交办: a new task stream and its link on the finding, appended together (one transaction on PostgreSQL; on a store
 * that takes one stream at a time, a crash between the two heals itself: the link is idempotent and is also ensured by
 * the worker's finding reactor). The finding's checks run before anything is written, so a refusal stores nothing.
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
  const earlier = await earlierAttempt(deps, input, taskId, link, metadata);
  if (earlier) return earlier;
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

  const assign: RectificationTaskCommand = {
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
  };
  // Both streams in one append where the store can (one round trip): the new task, and its link on the finding as it
  // was checked above.
  const taskStream = taskStreamName(taskId);
  const decided = rectificationTaskDecider.decide(assign, rectificationTaskDecider.initialState());
  const linking = findingDecider.decide(link, finding.state);
  const [taskOutcome, linkOutcome] = await appendToEach(deps.store, [
    { streamName: taskStream, events: eventsToAppend(assign, decided), expectedRevision: 'no_stream' },
    {
      streamName: findingStream,
      events: eventsToAppend(link, linking),
      expectedRevision: finding.revision < 0 ? 'no_stream' : finding.revision,
    },
  ]);
  if (!taskOutcome!.ok) {
    // The task's id is taken: by an attempt of this very command (its `commandId`) running beside it, whose outcome
    // this one answers with; else it stays refused.
    const beside =
      taskOutcome!.error instanceof ConcurrencyError ? await earlierAttempt(deps, input, taskId, link, metadata) : null;
    if (beside) return beside;
    throw taskOutcome!.error;
  }
  const revision = taskOutcome!.result.nextExpectedRevision;
  deps.cache?.set(
    taskStream,
    decided.reduce(rectificationTaskDecider.evolve, rectificationTaskDecider.initialState()),
    revision,
  );
  if (linkOutcome!.ok) {
    const findingRevision = linkOutcome!.result.nextExpectedRevision;
    deps.cache?.set(findingStream, linking.reduce(findingDecider.evolve, finding.state), findingRevision);
    return { id: taskId, revision, findingId: input.findingId, findingRevision };
  }
  if (!(linkOutcome!.error instanceof ConcurrencyError)) throw linkOutcome!.error;
  // The finding moved since it was read (another task linked meanwhile, or the cache was behind): linked again on what
  // is stored (the link is idempotent, and the worker's finding reactor makes sure of it too). The task is stored
  // already, so the link is retried for as long as other links keep getting there first: each lost race means another
  // assignment made progress, and a few dozen assigned at once to one finding (a script, a busy office) must not answer
  // 412 for tasks they did create.
  deps.cache?.forget(findingStream);
  const linked = await decideAndAppend(deps.store, findingDecider, findingStream, link, { cache: deps.cache });
  return { id: taskId, revision, findingId: input.findingId, findingRevision: linked.revision };
}

/**
 * What an earlier attempt of the command (its `commandId`) assigned, its link made sure of (the checks passed then: the
 * finding it names has since moved on, by this very link perhaps); null when no attempt stored the task.
 */
async function earlierAttempt(
  deps: UseCaseDeps,
  input: AssignTaskInput,
  taskId: string,
  link: FindingCommand,
  metadata: CommandMetadata,
): Promise<AssignTaskResult | null> {
  const assigned = await earlierAttemptOn(deps.store, rectificationTaskDecider, taskStreamName(taskId), metadata);
  if (!assigned) return null;
  const findingStream = findingStreamName(input.findingId);
  const linked = await decideAndAppend(deps.store, findingDecider, findingStream, link, { cache: deps.cache });
  return { id: taskId, revision: assigned.revision, findingId: input.findingId, findingRevision: linked.revision };
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
