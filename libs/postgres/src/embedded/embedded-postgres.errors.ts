/** The embedded server could not be initialised or started; `log` holds the tail of its output. */
export class EmbeddedPostgresStartError extends Error {
  constructor(
    message: string,
    readonly log: string,
  ) {
    super(log ? `${message}\n--- postgres output ---\n${log}` : message);
    this.name = new.target.name;
  }
}

/** Another live process already runs a server on this data folder. */
export class EmbeddedPostgresInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly ownerPid: number,
  ) {
    super(`the PostgreSQL data folder ${dataDir} is in use by the running process ${ownerPid}`);
    this.name = new.target.name;
  }
}
