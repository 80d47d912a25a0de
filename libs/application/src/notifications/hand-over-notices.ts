import type { MessageKind } from '@zhenggai/domain';
import type { StoredEvent } from '../event-store/event-store.port';

/**
 * 交办通知: a hand-over of a task told to the unit it reaches, outside the app (robots, e-mail); in the app the
 * same hand-over is a 待办 item. A notice is delivery, not history: the event is the fact.
 */
export type NoticeKind = Exclude<MessageKind, 'reminder' | 'escalation' | 'digest' | 'bulletin'>;

/** The Chinese name of each kind, as a headline's 【…】 shows it. */
export const NOTICE_LABELS: Readonly<Record<NoticeKind, string>> = {
  assigned: '新交办',
  reassigned_away: '已改派',
  sent_back: '退回重办',
  extension_approved: '同意延期',
  extension_refused: '不同意延期',
  reopened: '重新打开',
  submitted: '待验收',
  extension_requested: '待审批',
};

/** What a notice needs of its task as it stood just before the event. */
export interface NoticeTask {
  readonly title: string;
  readonly leadUnitId: string;
  /**
   * Who checks the task and so hears of its submissions and extension requests: the unit that broke its parent down,
   * or for a top-level task the unit of the inspector who assigned it (its inspection office); null if none.
   */
  readonly checkingUnitId: string | null;
}

export interface HandOverNotice {
  readonly kind: NoticeKind;
  /** The unit whose channels are told. */
  readonly unitId: string;
  readonly what: string;
  readonly next: string;
  readonly reason: string | null;
}

/** The notices one event makes (none for events that hand nothing over). Pure. */
export function handOverNotices(event: StoredEvent, task: NoticeTask): HandOverNotice[] {
  const data = event.data;
  const title = `任务「${task.title}」`;
  const to = (unitId: string | null, kind: NoticeKind, what: string, next: string, reason: string | null = null) =>
    unitId ? [{ kind, unitId, what, next, reason }] : [];
  switch (event.type) {
    case 'RectificationTaskAssigned':
      return to(data.leadUnitId, 'assigned', `${title}已交办给你单位`, '请及时签收并制定整改方案');
    case 'RectificationTaskReassigned':
      return [
        ...to(data.leadUnitId, 'assigned', `${title}已改派给你单位`, '请及时签收并制定整改方案', data.reason),
        ...(data.previousLeadUnitId !== data.leadUnitId
          ? to(data.previousLeadUnitId, 'reassigned_away', `${title}已改派给其他单位`, '你单位无需再办理', data.reason)
          : []),
      ];
    case 'RectificationTaskSentBack':
      return to(
        task.leadUnitId,
        'sent_back',
        `${title}的销号申请被退回`,
        '请按退回理由整改后重新申请销号',
        data.reason,
      );
    case 'RectificationTaskExtensionApproved':
      return to(
        task.leadUnitId,
        'extension_approved',
        `${title}的延期申请已同意，期限延至${data.newDeadline}`,
        '请在新期限前完成整改',
      );
    case 'RectificationTaskExtensionRefused':
      return to(task.leadUnitId, 'extension_refused', `${title}的延期申请未获同意`, '请按原期限完成整改', data.reason);
    case 'RectificationTaskReopened':
      return to(
        task.leadUnitId,
        'reopened',
        `${title}已重新打开，期限${data.deadline}`,
        '请重新整改并按期反馈',
        data.reason,
      );
    case 'RectificationTaskSubmitted':
      return to(task.checkingUnitId, 'submitted', `${title}已申请销号`, '请核查验收或退回');
    case 'RectificationTaskExtensionRequested':
      return to(
        task.checkingUnitId,
        'extension_requested',
        `${title}申请延期至${data.requestedDeadline}`,
        '请审批延期申请',
        data.reason,
      );
    default:
      return [];
  }
}

/** The event types that hand a task over. */
export const HAND_OVER_EVENT_TYPES: readonly string[] = [
  'RectificationTaskAssigned',
  'RectificationTaskReassigned',
  'RectificationTaskSentBack',
  'RectificationTaskExtensionApproved',
  'RectificationTaskExtensionRefused',
  'RectificationTaskReopened',
  'RectificationTaskSubmitted',
  'RectificationTaskExtensionRequested',
];
