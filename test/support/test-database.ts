import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { closedAfterThisFile } from './opened-for-this-file';

export interface TestDatabase {
  /** URL of the new, empty database. */
  readonly url: string;
  /** Drops the database, disconnecting whoever is still connected. */
  drop(): Promise<void>;
}

/**
 * A fresh, uniquely named database (`zg_t_<random>`) on the server of `TEST_DATABASE_URL` (set by the
 * global setup), so that each test file works alone while jest runs files in parallel. Dropped after the test
 * file at the latest (see opened-for-this-file).
 */
export function createTestDatabase(): Promise<TestDatabase> {
  return closedAfterThisFile(openTestDatabase(), (database) => database.drop());
}

/** A fresh database that the caller drops. */
export async function openTestDatabase(): Promise<TestDatabase> {
  const adminUrl = process.env.TEST_DATABASE_URL;
  if (!adminUrl) throw new Error('TEST_DATABASE_URL is not set: run through jest (see test/support/global-setup.ts)');
  const name = `zg_t_${randomBytes(6).toString('hex')}`;
  await withAdmin(adminUrl, (admin) => admin.query(`CREATE DATABASE ${name}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => withAdmin(adminUrl, (admin) => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)),
  };
}

async function withAdmin(adminUrl: string, work: (admin: Client) => Promise<unknown>): Promise<void> {
  const admin = new Client({ connectionString: adminUrl, application_name: 'zhenggai-tests' });
  await admin.connect();
  try {
    await work(admin);
  } finally {
    await admin.end();
  }
}
