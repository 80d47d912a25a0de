import { DataFolderError } from './embedded-postgres.errors';

describe('DataFolderError', () => {
  const failure = (code: string) =>
    Object.assign(new Error(`${code}: failed, mkdir '/srv/zhenggai/postgres'`), { code });

  it.each([
    [
      'EROFS',
      'cannot write to /srv/zhenggai: it is on a read-only file system; set DATA_DIR to a folder on a writable disk',
    ],
    [
      'ENOSPC',
      'cannot write to /srv/zhenggai: the disk is full; free some space or set DATA_DIR to a folder on another disk',
    ],
    [
      'EDQUOT',
      'cannot write to /srv/zhenggai: the disk is full; free some space or set DATA_DIR to a folder on another disk',
    ],
    [
      'EACCES',
      'cannot write to /srv/zhenggai: permission denied; make it writable ' +
        'for this user or set DATA_DIR to a folder that is',
    ],
  ])('says in one sentence what %s on the folder means and what to do', (code, message) => {
    expect(DataFolderError.fromErrno('/srv/zhenggai', failure(code))?.message).toBe(message);
  });

  it('leaves other failures as they are', () => {
    expect(DataFolderError.fromErrno('/srv/zhenggai', failure('ENOENT'))).toBeUndefined();
    expect(DataFolderError.fromErrno('/srv/zhenggai', new Error('no code'))).toBeUndefined();
  });

  it('reads the cause from what PostgreSQL printed', () => {
    const initdb =
      'creating subdirectories ... ok\ninitdb: error: could not write to ' +
      'file "/srv/zhenggai/postgres/global/1260": No space left on device';
    expect(DataFolderError.fromServerOutput('/srv/zhenggai/postgres', initdb)?.message).toMatch(
      /^cannot write to \/srv\/zhenggai\/postgres: the disk is full;/,
    );
    const server = 'FATAL:  could not create lock file "postmaster.pid": Read-only file system';
    expect(DataFolderError.fromServerOutput('/srv/zhenggai/postgres', server)?.message).toMatch(
      /read-only file system/,
    );
    expect(
      DataFolderError.fromServerOutput('/srv/zhenggai/postgres', 'FATAL:  lock file "postmaster.pid" already exists'),
    ).toBeUndefined();
  });
});
