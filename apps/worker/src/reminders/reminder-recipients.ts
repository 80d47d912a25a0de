import { Directory, UserAccount, UserRepository } from '@zhenggai/application';
import { AssignedRectificationTask, RecipientRole, ReminderRecipient } from '@zhenggai/domain';

/**
 * Who a ladder level reaches, resolved when it fires (a reassigned task reminds its new unit):
 * - `unit`: the lead unit's accounts (inbox) and the unit's own channels;
 * - `unit_head`: the lead unit's head through the unit's `head` channels, and the unit's accounts;
 * - `assigning_office`: the inspector who assigned the task;
 * - `supervising_leader`: the leaders closest above the task's place (a county's before the city's);
 * - `leadership`: every leader whose region covers the task's place (unscoped leaders cover all).
 * Disabled accounts are left out.
 */
export class ReminderRecipients {
  private accounts: { list: Promise<UserAccount[]>; until: number } | null = null;

  constructor(
    private readonly directory: Directory,
    private readonly users: UserRepository,
    private readonly accountsTtlMs = 5000,
  ) {}

  /** The enabled accounts, read at most every few seconds (a burst of reminders at 09:00 asks thousands of times). */
  private enabledAccounts(): Promise<UserAccount[]> {
    if (!this.accounts || this.accounts.until < Date.now()) {
      const list = this.users.list().then((all) => all.filter((u) => !u.disabled));
      list.catch(() => (this.accounts = null));
      this.accounts = { list, until: Date.now() + this.accountsTtlMs };
    }
    return this.accounts.list;
  }

  async resolve(task: AssignedRectificationTask, roles: readonly RecipientRole[]): Promise<ReminderRecipient[]> {
    const accounts = await this.enabledAccounts();
    const unit = await this.directory.getUnit(task.leadUnitId);
    const unitName = unit?.name ?? task.leadUnitId;
    const recipients: ReminderRecipient[] = [];
    const add = (r: ReminderRecipient) => {
      if (!recipients.some((x) => x.role === r.role && x.kind === r.kind && x.id === r.id)) recipients.push(r);
    };
    for (const role of roles) {
      switch (role) {
        case 'unit':
        case 'unit_head':
          add({ role, kind: 'unit', id: task.leadUnitId, name: role === 'unit' ? unitName : `${unitName}${unit?.headName ? `（${unit.headName}）` : '负责人'}` });
          for (const u of accounts.filter((a) => a.role === 'unit' && a.unitId === task.leadUnitId)) add({ role, kind: 'user', id: u.id, name: u.displayName });
          break;
        case 'assigning_office':
          for (const u of accounts.filter((a) => a.id === task.assignedBy)) add({ role, kind: 'user', id: u.id, name: u.displayName });
          break;
        case 'supervising_leader':
        case 'leadership': {
          const path = (await this.directory.getRegion(task.regionId))?.path ?? [];
          const depth = (a: UserAccount) => (a.regionScopeId ? path.indexOf(a.regionScopeId) : -1);
          const covering = accounts.filter((a) => a.role === 'leader' && (!a.regionScopeId || path.includes(a.regionScopeId)));
          const closest = Math.max(...covering.map(depth));
          for (const u of covering) if (role === 'leadership' || depth(u) === closest) add({ role, kind: 'user', id: u.id, name: u.displayName });
          break;
        }
        default:
          role satisfies never;
      }
    }
    return recipients;
  }
}
