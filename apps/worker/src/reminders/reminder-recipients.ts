import { Directory, liesWithin, ReminderRecipientResolver, UserAccount, UserRepository } from '@zhenggai/application';
import { AssignedRectificationTask, RecipientRole, ReminderRecipient } from '@zhenggai/domain';
import { oncePerKey } from './once-per-key';

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
  private readonly lookups: RecipientLookups;

  constructor(directory: Directory, users: UserRepository, lookups?: RecipientLookups) {
    this.lookups = lookups ?? {
      unit: (id) => directory.getUnit(id, { stored: true }),
      unitAccounts: (id) => users.listEnabled('unit', id),
      leaders: () => users.listEnabled('leader'),
      user: (id) => users.findById(id),
      region: (id) => directory.getRegion(id),
    };
    this.batch = () => new ReminderRecipients(directory, users, memoised(this.lookups));
  }

  /** For levels fired together: each unit, its accounts, each assigner, region and the leaders read once for all. */
  readonly batch: () => ReminderRecipients;

  async resolve(task: AssignedRectificationTask, roles: readonly RecipientRole[]): Promise<ReminderRecipient[]> {
    const unit = await this.lookups.unit(task.leadUnitId);
    const unitName = unit?.name ?? task.leadUnitId;
    const unitAccounts = once(() => this.lookups.unitAccounts(task.leadUnitId));
    const leaders = once(() => this.lookups.leaders());
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
          const assigner = await this.lookups.user(task.assignedBy);
          if (assigner && !assigner.disabled) add({ role, kind: 'user', id: assigner.id, name: assigner.displayName });
          break;
        }
        case 'supervising_leader':
        case 'leadership': {
          // A region never moves: its path may come from what this process remembers.
          const region = await this.lookups.region(task.regionId);
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

/** What resolving reads of the directory and the accounts. */
interface RecipientLookups {
  unit(id: string): ReturnType<Directory['getUnit']>;
  unitAccounts(unitId: string): Promise<UserAccount[]>;
  leaders(): Promise<UserAccount[]>;
  user(id: string): ReturnType<UserRepository['findById']>;
  region(id: string): ReturnType<Directory['getRegion']>;
}

/** The same lookups, each answer kept for the next ask with the same argument (for one batch: minutes at most). */
function memoised(lookups: RecipientLookups): RecipientLookups {
  const leaders = oncePerKey(() => lookups.leaders());
  return {
    unit: oncePerKey(lookups.unit),
    unitAccounts: oncePerKey(lookups.unitAccounts),
    leaders: () => leaders(''),
    user: oncePerKey(lookups.user),
    region: oncePerKey(lookups.region),
  };
}

/** Reads once per firing, and only if a role asks for it. */
function once<T>(read: () => Promise<T>): () => Promise<T> {
  let result: Promise<T> | undefined;
  return () => (result ??= read());
}
