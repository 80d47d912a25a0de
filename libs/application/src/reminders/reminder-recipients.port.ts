import { AssignedRectificationTask, RecipientRole, ReminderRecipient } from '@zhenggai/domain';

/** Who a ladder level's recipient roles name for a task, as the directory stands when the level fires. */
export interface ReminderRecipientResolver {
  resolve(task: AssignedRectificationTask, roles: readonly RecipientRole[]): Promise<ReminderRecipient[]>;
  /**
   * A resolver for one batch of levels fired together, which may read each unit's accounts, the leaders and the
   * regions once for the batch rather than once a level. Without it, the batch uses this resolver.
   */
  batch?(): ReminderRecipientResolver;
}
