import { Inject, Injectable } from '@nestjs/common';
import { DIRECTORY, Directory, USER_REPOSITORY, UserRepository } from '@zhenggai/application';
import { HistoryEntry } from './event-history';

/** Who acted, as a reader knows them: the person's name and their unit's; null for the engine acting on its own. */
export interface HistoryActorName {
  readonly displayName: string | null;
  readonly unitName: string | null;
}

export type NamedHistoryEntry<E extends HistoryEntry = HistoryEntry> = E & { readonly by: HistoryActorName | null };

interface RecordedActor {
  readonly userId?: string;
  readonly username?: string;
  readonly role?: string;
  readonly unitId?: string | null;
}

/**
 * Names the people behind a history's entries (王家坝镇人民政府 · 张三 rather than a login name): one read of the
 * accounts and one of the units for the whole history, whatever its length. The unit is the one recorded with the
 * event (where the person worked when they acted), else the account's unit now.
 */
@Injectable()
export class HistoryNames {
  constructor(
    @Inject(USER_REPOSITORY) private readonly users: UserRepository,
    @Inject(DIRECTORY) private readonly directory: Directory,
  ) {}

  async named<E extends HistoryEntry>(entries: readonly E[]): Promise<Array<NamedHistoryEntry<E>>> {
    const actors = entries.map((entry) => (entry.actor ?? null) as RecordedActor | null);
    const people = actors.filter((actor) => actor?.userId && actor.role !== 'system').map((a) => a!.userId!);
    if (people.length === 0) return entries.map((entry) => ({ ...entry, by: null }));
    const [accounts, units] = await Promise.all([
      this.users.findByIds([...new Set(people)]),
      this.directory.listUnits(),
    ]);
    const accountOf = new Map(accounts.map((account) => [account.id, account]));
    const unitNameOf = new Map(units.map((unit) => [unit.id, unit.name]));
    return entries.map((entry, i) => {
      const actor = actors[i];
      if (!actor?.userId || actor.role === 'system') return { ...entry, by: null };
      const account = accountOf.get(actor.userId);
      const unitId = actor.unitId ?? account?.unitId ?? null;
      return {
        ...entry,
        by: {
          displayName: account?.displayName ?? actor.username ?? null,
          unitName: (unitId && unitNameOf.get(unitId)) || null,
        },
      };
    });
  }
}
