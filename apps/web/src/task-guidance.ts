import type { MessageKey } from './i18n';

/** The few facts of a task and of who looks at it that say what they should do now. */
export interface GuidanceInput {
  readonly status: string;
  readonly plan: string | null;
  readonly pendingExtension: unknown;
  /** The signed-in user's unit leads the task. */
  readonly leads: boolean;
  /** The signed-in user checks it (the inspector; for a sub-task the unit that broke its parent down). */
  readonly checks: boolean;
  readonly sentBack: boolean;
}

/** 下一步: one line saying what this user should do now, by their part in the task and where it stands. */
export function nextStep(task: GuidanceInput): MessageKey {
  const { status } = task;
  if (status === 'cancelled') return 'nextCancelled';
  if (task.leads) {
    if (status === 'assigned') return 'nextAccept';
    if (status === 'submitted') return 'nextWaitVerify';
    if (status === 'closed') return 'nextClosed';
    if (task.sentBack) return 'nextResubmit';
    if (!task.plan) return 'nextPlan';
    return task.pendingExtension ? 'nextWaitExtension' : 'nextProgress';
  }
  if (task.checks) {
    if (status === 'submitted') return 'nextVerify';
    if (task.pendingExtension) return 'nextDecideExtension';
    if (status === 'assigned') return 'nextWaitAccept';
    if (status === 'closed') return 'nextClosedCheck';
    return 'nextFollow';
  }
  return status === 'closed' ? 'nextClosed' : 'nextView';
}

/**
 * 被退回: the reason of the last send-back while it stands, from the task's history in order (the tasks read
 * model's rule: a new submission, or whatever ends the unit's work on it, clears it).
 */
export function sentBackReason(history: ReadonlyArray<{ type: string; data: Record<string, unknown> }>): string | null {
  let reason: string | null = null;
  for (const entry of history) {
    if (entry.type === 'RectificationTaskSentBack') reason = String(entry.data.reason ?? '');
    else if (CLEARS_SEND_BACK.has(entry.type)) reason = null;
  }
  return reason;
}

const CLEARS_SEND_BACK = new Set([
  'RectificationTaskSubmitted',
  'RectificationTaskVerified',
  'RectificationTaskCancelled',
  'RectificationTaskReassigned',
  'RectificationTaskReopened',
]);
