import { spawn } from 'node:child_process';
import path from 'node:path';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/test-database';
import { EsdbDouble } from '../../../../test/support/esdb-double';
import { ConfigurationError, loadConfig } from '../config/app-config';
import { startInfrastructure } from './infrastructure';

const REGISTER_TS = path.resolve(__dirname, '../../../../test/support/register-ts.js');
const WORKER_MAIN = path.resolve(__dirname, '../../../../apps/worker/src/main.ts');

/** The settings of a process on EventStoreDB (`EVENTSTORE=esdb`) at `esdbUrl`. */
function esdbEnv(database: TestDatabase, esdbUrl: string): Record<string, string> {
  return {
    DATABASE_URL: database.url,
    JWT_SECRET: 'esdb-version-secret-long-enough-0123456789',
    EVENTSTORE: 'esdb',
    ESDB_URL: esdbUrl,
    REMINDERS: 'off',
  };
}

// A process on EventStoreDB checks the server's version at start, over real gRPC against the test double.
describe('starting on EventStoreDB: the server version', () => {
  jest.setTimeout(60_000);
  let database: TestDatabase;
  const doubles: EsdbDouble[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
  });

  afterAll(async () => {
    for (const double of doubles) double.stop();
    await database?.drop();
  });

  async function double(options: Parameters<typeof EsdbDouble.start>[0]): Promise<EsdbDouble> {
    const started = await EsdbDouble.start(options);
    doubles.push(started);
    return started;
  }

  it('refuses a server before 22.6 as an invalid setting, naming the URL, its version and the minimum', async () => {
    const old = await double({ serverVersion: '21.10.4' });
    const start = startInfrastructure(loadConfig(esdbEnv(database, old.url)));
    await expect(start).rejects.toBeInstanceOf(ConfigurationError);
    await expect(start).rejects.toThrow(
      `ESDB_URL (${old.url}): EventStoreDB 21.10.4 is too old: 整改 needs EventStoreDB 22.6 or later, or KurrentDB`,
    );
  });

  it('refuses a server that does not tell its version (no ServerFeatures service: before 21.10)', async () => {
    const older = await double({ serverVersion: null, batchAppend: false });
    await expect(startInfrastructure(loadConfig(esdbEnv(database, older.url)))).rejects.toThrow(
      new RegExp(
        String.raw`ESDB_URL \(.+\): EventStoreDB without the ServerFeatures service \(older than 21\.10\) ` +
          String.raw`is too old: .*22\.6 or later`,
      ),
    );
  });

  it.each(['22.6.0', '25.0.0'])('starts on EventStoreDB / KurrentDB %s', async (serverVersion) => {
    const recent = await double({ serverVersion });
    const infra = await startInfrastructure(loadConfig(esdbEnv(database, recent.url)));
    try {
      await infra.eventStore.appendToStream('campaign-version-check', [
        { type: 'CampaignLaunched', data: {}, metadata: {} },
      ]);
      expect(recent.log.stream('campaign-version-check')).toHaveLength(1);
    } finally {
      await infra.close();
    }
  });

  it('stops the process at start with that one message, as for any invalid setting', async () => {
    const old = await double({ serverVersion: '22.2.0' });
    const child = spawn(process.execPath, ['-r', REGISTER_TS, WORKER_MAIN], {
      env: { ...process.env, ...esdbEnv(database, old.url) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));

    expect(code).toBe(1);
    expect(stderr.trim()).toBe(
      `zhenggai-worker: Invalid configuration:\n  - ESDB_URL (${old.url}): EventStoreDB 22.2.0 is too old: ` +
        '整改 needs EventStoreDB 22.6 or later, or KurrentDB, as older servers ' +
        'give stream reads no $all position to order events by',
    );
  });
});
