import type { StoredEvent } from '@zhenggai/application';

/**
 * 待办: what waits on someone now, for one task. Each kind of hand-over opens an item for whoever must act next and
 * the event that settles it closes it. Unit-side items wait on the task's lead unit; checking items (待验收, 待审批) on
 * whoever checks the task: the unit that broke its parent down for a sub-task, the inspection side (every inspector
 * whose region covers the task's place) for a top-level task.
 */
export type TodoKind =
  /** 待签收: assigned (or reassigned) to the unit, not yet signed for. */
  | 'sign'
  /** 待制定方案: signed for, no plan, progress or break-down yet. */
  | 'plan'
  /** 待报进展: a reminder or escalation came, no progress reported since. */
  | 'progress'
  /** 被退回: the submission was sent back, with the reason; until it is submitted again. */
  | 'sent_back'
  /** 延期已批复: the unit's extension request was approved or refused; until its next step on the task. */
  | 'extension_decided'
  /** 已重新打开: a closed task was reopened, with the reason and a new deadline; until the unit's next step. */
  | 'reopened'
  /** 待验收: submitted for sign-off. */
  | 'verify'
  /** 待审批: an extension request awaits a decision. */
  | 'extension_request';

export const TODO_KINDS: readonly TodoKind[] = [
  'sign',
  'plan',
  'progress',
  'sent_back',
  'extension_decided',
  'reopened',
  'verify',
  'extension_request',
];

/**
 * Kinds that are the unit's own next step rather than something handed to it: listed, not counted on the badge (so
 * signing for a task drops the count, though its plan is still to record).
 */
export const UNCOUNTED_KINDS: readonly TodoKind[] = ['plan'];

/** The kinds a checker (the assigning unit or the inspection side) acts on; the others wait on the lead unit. */
export const CHECKING_KINDS: readonly TodoKind[] = ['verify', 'extension_request'];

export interface TodoItem {
  readonly kind: TodoKind;
  /** When the hand-over happened (business time): the list is oldest first. */
  readonly since: string;
  /** The store position of the event that opened it. */
  readonly position: string;
  /** What the receiver needs to act: a reason, a requested or new deadline, the decision. */
  readonly detail: Readonly<Record<string, string | number | boolean | null>>;
}

export interface TodoTask {
  readonly taskId: string;
  readonly title: string;
  readonly regionId: string;
  readonly leadUnitId: string;
  /** Who checks it: the unit that broke its parent down; null for a top-level task (the inspection side). */
  readonly assigningUnitId: string | null;
  readonly deadline: string;
  /** The task is closed or cancelled: nothing waits on anyone. */
  readonly done: boolean;
  readonly items: readonly TodoItem[];
}

const occurredAt = (event: StoredEvent): string => event.metadata?.occurredAt ?? event.recordedAt;

/** What each event settles, before it opens anything. */
const SETTLES: Readonly<Record<string, readonly TodoKind[]>> = {
  RectificationTaskAccepted: ['sign'],
  RectificationTaskPlanRecorded: ['plan', 'extension_decided', 'reopened'],
  RectificationTaskBrokenDown: ['plan', 'extension_decided', 'reopened'],
  RectificationTaskProgressReported: ['plan', 'progress', 'extension_decided', 'reopened'],
  RectificationTaskExtensionRequested: ['extension_decided', 'reopened'],
  RectificationTaskExtensionApproved: ['extension_request'],
  RectificationTaskExtensionRefused: ['extension_request'],
  RectificationTaskSubmitted: ['plan', 'progress', 'sent_back', 'extension_decided', 'reopened'],
  RectificationTaskSentBack: ['verify'],
  // Handed to another unit: what waited on the old one goes (it may no longer read the task), as does a pending
  // sign-off or extension request of the old unit's work.
  RectificationTaskReassigned: TODO_KINDS,
};

/**
 * The task's to-do after `event` (undefined before its assignment). Pure and deterministic: the projection folds a
 * task's events through it in store order.
 */
export function evolveTodo(task: TodoTask | undefined, event: StoredEvent): TodoTask | undefined {
  const data = event.data;
  if (event.type === 'RectificationTaskAssigned') {
    return {
      taskId: data.taskId,
      title: data.title,
      regionId: data.regionId,
      leadUnitId: data.leadUnitId,
      assigningUnitId: data.assigningUnitId ?? null,
      deadline: data.deadline,
      done: false,
      items: [item('sign', event, {})],
    };
  }
  if (!task) return undefined;
  if (event.type === 'RectificationTaskVerified' || event.type === 'RectificationTaskCancelled') {
    return { ...task, done: true, items: [] };
  }
  const settled = SETTLES[event.type] ?? [];
  let items = task.items.filter((i) => !settled.includes(i.kind));
  let next: TodoTask = { ...task, items };
  const open = (kind: TodoKind, detail: TodoItem['detail'] = {}) => {
    // One item per kind: a newer hand-over of the same kind replaces the older (its reason, its time).
    items = [...items.filter((i) => i.kind !== kind), item(kind, event, detail)];
  };
  switch (event.type) {
    case 'RectificationTaskAccepted':
      open('plan');
      break;
    case 'RectificationTaskExtensionRequested':
      open('extension_request', {
        requestId: data.requestId,
        requestedDeadline: data.requestedDeadline,
        reason: data.reason,
      });
      break;
    case 'RectificationTaskExtensionApproved':
      next = { ...next, deadline: data.newDeadline };
      open('extension_decided', { approved: true, newDeadline: data.newDeadline });
      break;
    case 'RectificationTaskExtensionRefused':
      open('extension_decided', { approved: false, reason: data.reason });
      break;
    case 'RectificationTaskSubmitted':
      open('verify', { report: data.report });
      break;
    case 'RectificationTaskSentBack':
      open('sent_back', { reason: data.reason });
      break;
    case 'RectificationTaskReassigned':
      next = { ...next, leadUnitId: data.leadUnitId };
      open('sign', { reason: data.reason });
      break;
    case 'RectificationTaskReopened':
      next = { ...next, deadline: data.deadline, done: false };
      open('reopened', { reason: data.reason, deadline: data.deadline });
      break;
    case 'RectificationTaskReminded':
    case 'RectificationTaskEscalated':
      // Only while the unit is at work: a reminder for a task awaiting sign-off asks nothing of the unit.
      if (!task.done && !items.some((i) => i.kind === 'verify' || i.kind === 'sign'))
        open('progress', { label: data.label, level: data.level });
      break;
  }
  return { ...next, items };
}

function item(kind: TodoKind, event: StoredEvent, detail: TodoItem['detail']): TodoItem {
  return { kind, since: occurredAt(event), position: event.position.toString(), detail };
}

/** The event types the to-do reads. */
export const TODO_EVENT_TYPES: readonly string[] = [
  'RectificationTaskAssigned',
  'RectificationTaskAccepted',
  'RectificationTaskPlanRecorded',
  'RectificationTaskBrokenDown',
  'RectificationTaskProgressReported',
  'RectificationTaskExtensionRequested',
  'RectificationTaskExtensionApproved',
  'RectificationTaskExtensionRefused',
  'RectificationTaskSubmitted',
  'RectificationTaskVerified',
  'RectificationTaskSentBack',
  'RectificationTaskReassigned',
  'RectificationTaskCancelled',
  'RectificationTaskReopened',
  'RectificationTaskReminded',
  'RectificationTaskEscalated',
];
