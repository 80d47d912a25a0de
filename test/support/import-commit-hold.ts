import { Client } from 'pg';
import { eventually } from './http-client';
import { closedAfterThisFile } from './opened-for-this-file';

/** The test's advisory lock that holds commits up (any key the app does not use). */
const HOLD_KEY = 2121;

export interface ImportCommitHold {
  /**
   * Resolves once a commit's runner has filed a row beyond the first `afterRows` and waits to record its outcome,
   * with the backend process id of the runner's waiting connection.
   */
  reached(): Promise<number>;
  /** Lets the runners go on (and removes the hold). */
  release(): Promise<void>;
}

/**
 * A fault injected at a step: a commit's runner stops, after the rows of an import have `afterRows` outcomes
 * recorded, right after it filed the next row and before its outcome is recorded (a trigger on the outcomes
 * table waits for an advisory lock the test holds). Installed on the database of `url`; closed after the file.
 */
export async function holdImportCommits(url: string, afterRows: number): Promise<ImportCommitHold> {
  const client = new Client({ connectionString: url, application_name: 'zhenggai-tests' });
  client.on('error', () => undefined);
  await closedAfterThisFile(
    client.connect().then(() => client),
    (opened) => opened.end(),
  );
  await client.query('SELECT pg_advisory_lock($1)', [HOLD_KEY]);
  await client.query(`
    CREATE OR REPLACE FUNCTION test_hold_import_commit() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF (SELECT count(*) FROM problem_list_import_outcomes WHERE import_id = NEW.import_id) >= ${afterRows} THEN
        PERFORM pg_advisory_lock(${HOLD_KEY});
        PERFORM pg_advisory_unlock(${HOLD_KEY});
      END IF;
      RETURN NEW;
    END $$;
    CREATE TRIGGER test_hold_import_commit BEFORE INSERT ON problem_list_import_outcomes
      FOR EACH ROW EXECUTE FUNCTION test_hold_import_commit();`);
  return {
    reached: () =>
      eventually(
        async () => {
          const { rows } = await client.query<{ pid: number }>(
            `SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event = 'advisory'
             AND query LIKE '%problem_list_import_outcomes%'`,
          );
          return rows[0]?.pid;
        },
        120_000,
        50,
      ),
    async release() {
      // Unlocked first: dropping the trigger waits for the inserts it holds up.
      await client.query('SELECT pg_advisory_unlock($1)', [HOLD_KEY]);
      await client.query('DROP TRIGGER IF EXISTS test_hold_import_commit ON problem_list_import_outcomes');
    },
  };
}
