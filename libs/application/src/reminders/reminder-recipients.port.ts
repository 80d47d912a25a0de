import { AssignedRectificationTask, RecipientRole, ReminderRecipient } from '@zhenggai/domain';

/** Who a ladder level's recipient roles name for a task, as the directory stands when the level fires. */
export interface ReminderRecipientResolver {
  resolve(task: AssignedRectificationTask, roles: readonly RecipientRole[]): Promise<ReminderRecipient[]>;
}
