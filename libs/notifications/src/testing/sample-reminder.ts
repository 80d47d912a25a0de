import type { ReminderMessage } from '@zhenggai/application';

/** A reminder three days overdue, as the notification tests start from; override what a test is about. */
export function sampleReminder(overrides: Partial<ReminderMessage> = {}): ReminderMessage {
  return {
    deliveryId: 'delivery-1',
    taskId: 'task-1',
    taskTitle: '蔡郢村危房改造',
    level: 'supervise',
    levelLabel: '督办',
    kind: 'escalation',
    deadline: '2025-06-01',
    daysToDeadline: -3,
    unitName: '蔡郢村村委会',
    regionName: '淮南市田家庵区',
    recipientName: '住建局',
    link: 'https://zhenggai.example.cn/tasks/task-1',
    recordedAt: '2025-06-04T01:00:00.000Z',
    ...overrides,
  };
}
