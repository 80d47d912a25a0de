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

/**
 * A folder the embedded default keeps its files in cannot be used (read-only, full, not writable, or out of reach
 * of the server's OS user). The message is one sentence that names the folder, the cause and what to do.
 */
export class DataFolderError extends Error {
  constructor(
    readonly folder: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }

  /**
   * The DataFolderError for a failed file system call in `folder`, or `undefined` when the failure is not one of
   * the folder's (read-only, full, not writable).
   */
  static fromErrno(folder: string, error: unknown): DataFolderError | undefined {
    const cause = FOLDER_CAUSES[(error as NodeJS.ErrnoException | undefined)?.code ?? ''];
    return cause ? new DataFolderError(folder, `cannot write to ${folder}: ${cause}`) : undefined;
  }

  /** The DataFolderError that PostgreSQL's own output (initdb's, the server's) tells of, if it tells of one. */
  static fromServerOutput(folder: string, output: string): DataFolderError | undefined {
    const code = SERVER_MESSAGES.find(([text]) => output.includes(text))?.[1];
    return code ? DataFolderError.fromErrno(folder, { code }) : undefined;
  }
}

const FULL = 'the disk is full; free some space or set DATA_DIR to a folder on another disk';
const FOLDER_CAUSES: Record<string, string> = {
  EROFS: 'it is on a read-only file system; set DATA_DIR to a folder on a writable disk',
  ENOSPC: FULL,
  EDQUOT: FULL,
  EACCES: 'permission denied; make it writable for this user or set DATA_DIR to a folder that is',
  EPERM: 'permission denied; make it writable for this user or set DATA_DIR to a folder that is',
};

/**
 * strerror() texts as PostgreSQL prints them (its messages are in English: the launcher runs it with LC_MESSAGES=C).
 */
const SERVER_MESSAGES: Array<[string, string]> = [
  ['Read-only file system', 'EROFS'],
  ['No space left on device', 'ENOSPC'],
  ['Disk quota exceeded', 'EDQUOT'],
  ['Permission denied', 'EACCES'],
];
