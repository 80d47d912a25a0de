import { EventStore } from '@zhenggai/application';
import { DEFAULT_REMINDER_POLICY, levelDueAt, ReminderRecipient, SYSTEM_ACTOR, taskStreamName } from '@zhenggai/domain';

/**
 * Records a ladder level on a task as the engine's reminder worker would (appended straight to the stream, so a
 * test does not depend on the worker). Use a closed task: the worker itself owes it no reminder, so nothing it
 * does can collide with these. Answers the reminder's id.
 */
export async function recordReminder(
  store: EventStore,
  task: { id: string; deadline: string; deadlineVersion: number },
  level: string,
  recipients: ReminderRecipient[],
): Promise<string> {
  const rung = DEFAULT_REMINDER_POLICY.levels.find((l) => l.level === level)!;
  const reminderId = `${task.deadlineVersion}:${level}`;
  const data = {
    taskId: task.id,
    reminderId,
    level,
    label: rung.label,
    deadline: task.deadline,
    deadlineVersion: task.deadlineVersion,
    dueAt: levelDueAt(task.deadline, rung),
    policy: { id: DEFAULT_REMINDER_POLICY.id, version: DEFAULT_REMINDER_POLICY.version },
    recipients,
  };
  const type = rung.kind === 'reminder' ? 'RectificationTaskReminded' : 'RectificationTaskEscalated';
  const metadata = {
    actor: SYSTEM_ACTOR,
    occurredAt: new Date().toISOString(),
    correlationId: `e2e-${reminderId}`,
    causationId: null,
  };
  await store.appendToStream(taskStreamName(task.id), [{ type, data, metadata }], { expectedRevision: 'any' });
  return reminderId;
}
