/**
 * One schema change, applied once per database. Ids are unique across all modules and prefixed by the
 * module that owns them (`event-store-001-events`, `users-001-create`), so that modules can be combined:
 * `migrate(pool, [...eventStoreMigrations, ...userMigrations])`. Once a release has applied a migration it
 * is never edited; a change is a new migration.
 */
export interface Migration {
  readonly id: string;
  /** One or more SQL statements, run in one transaction. */
  readonly sql: string;
}

/** A migration list is inconsistent (the same id twice). */
export class MigrationListError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A migration failed; nothing of it was applied. */
export class MigrationFailedError extends Error {
  constructor(
    readonly migrationId: string,
    cause: unknown,
  ) {
    super(`migration ${migrationId} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = new.target.name;
  }
}

/** The database records migrations this code does not hold (a newer release's, or a squashed history's). */
export class UnknownMigrationsError extends Error {
  constructor(readonly migrationIds: readonly string[]) {
    super(`the database records migrations this release does not know: ${migrationIds.join(', ')}`);
    this.name = new.target.name;
  }
}
