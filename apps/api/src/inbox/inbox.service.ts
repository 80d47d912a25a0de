import { Inject, Injectable } from '@nestjs/common';
import {
  EVENT_STORE,
  EventStore,
  executeTaskCommand,
  StoredEvent,
  USE_CASE_DEPS,
  UseCaseDeps,
} from '@zhenggai/application';
import { CommandMetadata, NotFoundError, ReminderRecipient, taskStreamName } from '@zhenggai/domain';
import { InboxPage, InboxQueries } from '@zhenggai/read-models';
import { Pool } from 'pg';
import { DATABASE_POOL } from '../infrastructure/tokens';

/** What reading a message answers: the task's revision after it, and when the caller first read it. */
export interface ReadAnswer {
  readonly taskId: string;
  readonly reminderId: string;
  readonly revision: number;
  readonly readAt: string;
}

const isRecordedReminder = (event: StoredEvent) =>
  event.type === 'RectificationTaskReminded' || event.type === 'RectificationTaskEscalated';

/**
 * The caller's in-app inbox: listed from the `inbox` read model; reading a message is a command on its task
 * (`MarkTaskReminderRead`), so the task's history shows who read which reminder when.
 */
@Injectable()
export class InboxService {
  private readonly queries: InboxQueries;

  constructor(
    @Inject(DATABASE_POOL) pool: Pool,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(USE_CASE_DEPS) private readonly deps: UseCaseDeps,
  ) {
    this.queries = new InboxQueries(pool);
  }

  list(userId: string, options: { unreadOnly: boolean; limit: number; before?: string }): Promise<InboxPage> {
    return this.queries.list(userId, options);
  }

  /**
   * 404 unless the reminder was sent to the caller's inbox; reading it again appends nothing. `expectedRevision`:
   * the task's revision the caller last saw (`If-Match`).
   */
  async markRead(
    metadata: CommandMetadata,
    taskId: string,
    reminderId: string,
    expectedRevision?: number,
  ): Promise<ReadAnswer> {
    const { userId } = metadata.actor;
    const projected = await this.queries.find(userId, taskId, reminderId);
    // The read model may not have caught up with a reminder recorded a moment ago: the stream has the last word.
    const events = projected ? null : await this.store.readStream(taskStreamName(taskId));
    if (
      events &&
      !events.some(
        (e) => isRecordedReminder(e) && e.data.reminderId === reminderId && sentTo(e.data.recipients, userId),
      )
    ) {
      throw new NotFoundError('InboxMessage', `${taskId}/${reminderId}`);
    }
    const result = await executeTaskCommand(
      this.deps,
      taskId,
      { type: 'MarkTaskReminderRead', data: { reminderId }, metadata },
      expectedRevision,
    );
    // Read now, or before: by an earlier request, or by an earlier attempt of this one (a retried Idempotency-Key).
    const readAt =
      result.changed && !result.earlierAttempt
        ? metadata.now
        : (projected?.readAt ?? (await this.firstReadAt(taskId, reminderId, userId)));
    return { taskId, reminderId, revision: result.revision, readAt };
  }

  private async firstReadAt(taskId: string, reminderId: string, userId: string): Promise<string> {
    const read = (await this.store.readStream(taskStreamName(taskId))).find(
      (e) =>
        e.type === 'RectificationTaskReminderRead' &&
        e.data.reminderId === reminderId &&
        e.data.readBy.userId === userId,
    );
    if (!read)
      throw new Error(
        `task ${taskId} answered that ${userId} had read ${reminderId}, but its stream records no such read`,
      );
    return read.metadata?.occurredAt ?? read.recordedAt;
  }
}

function sentTo(recipients: readonly ReminderRecipient[] | undefined, userId: string): boolean {
  return (recipients ?? []).some((r) => r.kind === 'user' && r.id === userId);
}
