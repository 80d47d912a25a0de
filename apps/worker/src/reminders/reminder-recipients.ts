import { Directory, liesWithin, ReminderRecipientResolver, UserAccount, UserRepository } from '@zhenggai/application';
import { AssignedRectificationTask, RecipientRole, ReminderRecipient } from '@zhenggai/domain';

/**
 * Who a ladder level reaches, resolved from the directory as it is stored when the level fires (an account added
 * or disabled a moment before counts; a reassigned task reminds its new unit):
 * - `unit`: the lead unit's accounts (inbox) and the unit's own channels;
 * - `unit_head`: the lead unit's head through the unit's `head` channels, and the unit's accounts;
 * - `assigning_office`: the inspector who assigned the task;
 * - `supervising_leader`: the leaders closest above the task's place (a county's before the city's);
 * - `leadership`: every leader whose region covers the task's place (unscoped leaders cover all).
 * Disabled accounts are left out.
 */
export class ReminderRecipients implements ReminderRecipientResolver {
  constructor(
    private readonly directory: Directory,
    private readonly users: UserRepository,
  ) {}

  async resolve(task: AssignedRectificationTask, roles: readonly RecipientRole[]): Promise<ReminderRecipient[]> {
    const unit = await this.directory.getUnit(task.leadUnitId, { stored: true });
    const unitName = unit?.name ?? task.leadUnitId;
    const unitAccounts = once(() => this.users.listEnabled('unit', task.leadUnitId));
    const leaders = once(() => this.users.listEnabled('leader'));
    const recipients: ReminderRecipient[] = [];
    const add = (r: ReminderRecipient) => {
      if (!recipients.some((x) => x.role === r.role && x.kind === r.kind && x.id === r.id)) recipients.push(r);
    };
    for (const role of roles) {
      switch (role) {
        case 'unit':
        case 'unit_head':
          add({
            role,
            kind: 'unit',
            id: task.leadUnitId,
            name: role === 'unit' ? unitName : `${unitName}${unit?.headName ? `（${unit.headName}）` : '负责人'}`,
          });
          for (const u of await unitAccounts()) add({ role, kind: 'user', id: u.id, name: u.displayName });
          break;
        case 'assigning_office': {
          const assigner = await this.users.findById(task.assignedBy);
          if (assigner && !assigner.disabled) add({ role, kind: 'user', id: assigner.id, name: assigner.displayName });
          break;
        }
        case 'supervising_leader':
        case 'leadership': {
          // A region never moves: its path may come from what this process remembers.
          const region = await this.directory.getRegion(task.regionId);
          const depth = (a: UserAccount) => (a.regionScopeId && region ? region.path.indexOf(a.regionScopeId) : -1);
          const covering = (await leaders()).filter(
            (a) => !a.regionScopeId || (!!region && liesWithin(region, a.regionScopeId)),
          );
          const closest = Math.max(...covering.map(depth));
          for (const u of covering)
            if (role === 'leadership' || depth(u) === closest)
              add({ role, kind: 'user', id: u.id, name: u.displayName });
          break;
        }
        default:
          role satisfies never;
      }
    }
    return recipients;
  }
}

/** Reads once per firing, and only if a role asks for it. */
function once<T>(read: () => Promise<T>): () => Promise<T> {
  let result: Promise<T> | undefined;
  return () => (result ??= read());
}
