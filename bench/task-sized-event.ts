import { randomUUID } from 'node:crypto';
import {
  DEFAULT_REMINDER_POLICY,
  LocalDate,
  RectificationTaskAssigned,
  ReminderPolicy,
  taskStreamName,
} from '@zhenggai/domain';
import type { Infrastructure } from '@zhenggai/platform';

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
 * Appends `count` top-level tasks' assignments straight into the store, each a stream of its own, from `writers`
 * concurrent writers (each pausing `pauseMs` after an append, to hold the rate below what saturates a core); returns
 * the tasks' ids. `occurredAt` is the business time written in the metadata (now, by default).
 */
export async function appendAssignments(
  infra: Infrastructure,
  tasks: {
    count: number;
    writers: number;
    regionId: string;
    leadUnitId: string;
    deadline: LocalDate;
    reminderPolicy: ReminderPolicy;
    occurredAt?: string;
    pauseMs?: number;
  },
): Promise<string[]> {
  const ids = Array.from({ length: tasks.count }, () => randomUUID());
  let next = 0;
  await Promise.all(
    Array.from({ length: tasks.writers }, async () => {
      for (let i = next++; i < tasks.count; i = next++) {
        const event = benchTaskAssigned({ ...tasks, taskId: ids[i]! });
        const occurredAt = tasks.occurredAt ?? new Date().toISOString();
        await infra.eventStore.appendToStream(
          taskStreamName(ids[i]!),
          [{ ...event, metadata: { actor: { username: 'bench' }, occurredAt } }],
          { expectedRevision: 'no_stream' },
        );
        if (tasks.pauseMs) await new Promise((resolve) => setTimeout(resolve, tasks.pauseMs));
      }
    }),
  );
  return ids;
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
