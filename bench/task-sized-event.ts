import { randomUUID } from 'node:crypto';
import { DEFAULT_REMINDER_POLICY, LocalDate, RectificationTaskAssigned, ReminderPolicy } from '@zhenggai/domain';

/** A top-level task's assignment as the benchmarks write it straight into the store, with the ladder given. */
export function benchTaskAssigned(task: {
  taskId: string;
  regionId: string;
  leadUnitId: string;
  deadline: LocalDate;
  reminderPolicy: ReminderPolicy;
}): RectificationTaskAssigned {
  return {
    type: 'RectificationTaskAssigned',
    data: {
      taskId: task.taskId,
      findingId: randomUUID(),
      title: '基准任务',
      regionId: task.regionId,
      category: 'bench',
      leadUnitId: task.leadUnitId,
      cooperatingUnitIds: [],
      deadline: task.deadline,
      measures: '整改',
      target: null,
      campaignId: null,
      assignedBy: randomUUID(),
      parentTaskId: null,
      rootTaskId: task.taskId,
      depth: 0,
      assigningUnitId: null,
      reminderPolicy: task.reminderPolicy,
    },
  };
}

/**
 * An event of the shape and size of a task's assignment (RectificationTaskAssigned with the default reminder ladder
 * pinned, and the metadata every command writes): about 1.4 KB of JSON.
 */
export function taskSizedEvent(): { type: string; data: Record<string, unknown>; metadata: Record<string, unknown> } {
  const { type, data } = benchTaskAssigned({
    taskId: randomUUID(),
    regionId: randomUUID(),
    leadUnitId: randomUUID(),
    deadline: '2030-01-01',
    reminderPolicy: DEFAULT_REMINDER_POLICY,
  });
  return {
    type,
    data,
    metadata: {
      actor: { userId: randomUUID(), username: 'inspector', role: 'inspector', unitId: null },
      occurredAt: new Date().toISOString(),
      correlationId: randomUUID(),
      causationId: null,
    },
  };
}
