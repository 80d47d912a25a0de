import { ConfigurationError, loadConfig } from './app-config';

describe('configuration', () => {
  it('runs the embedded default with no configuration at all', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3000,
      host: '127.0.0.1',
      databaseUrl: null,
      jwtSecret: null,
      seedDemo: true,
      initialAdmin: null,
    });
    expect(config.dataDir).toMatch(/\.data$/);
  });

  it('takes PORT, and listens on every interface outside the embedded default', () => {
    const config = loadConfig({ PORT: '8080', DATABASE_URL: 'postgres://db/zhenggai', JWT_SECRET: 'x'.repeat(32) });
    expect(config).toMatchObject({ port: 8080, host: '0.0.0.0', seedDemo: false });
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT must be a whole number'],
    [{ DATABASE_URL: 'mysql://db' }, 'DATABASE_URL must be a postgres:// URL'],
    [{ DATABASE_URL: 'postgres://db/z' }, 'JWT_SECRET must be set when DATABASE_URL is set'],
    [{ JWT_SECRET: 'short' }, 'JWT_SECRET must be at least 32 characters'],
    [{ ADMIN_USERNAME: 'root' }, 'ADMIN_USERNAME and ADMIN_PASSWORD go together'],
    [{ ADMIN_USERNAME: 'root', ADMIN_PASSWORD: 'short' }, 'ADMIN_PASSWORD must be at least 12 characters'],
    [{ SEED_DEMO: 'perhaps' }, 'SEED_DEMO must be true or false'],
    [{ EVIDENCE_STORE: 'ftp' }, 'EVIDENCE_STORE must be local or s3'],
    [{ EVIDENCE_STORE: 's3', S3_BUCKET: 'b' }, 'EVIDENCE_STORE=s3 needs S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY'],
    [{ TRUST_PROXY: 'yes' }, 'TRUST_PROXY must be a whole number from 0 to 10'],
    [{ EVENTSTORE: 'foo' }, 'EVENTSTORE must be postgres or esdb (got "foo")'],
    [{ EVENTSTORE: 'esdb' }, 'EVENTSTORE=esdb needs ESDB_URL'],
    [
      { ESDB_URL: 'esdb://eventstore:2113?tls=false' },
      'ESDB_URL is set but EVENTSTORE is not esdb: set EVENTSTORE=esdb',
    ],
    [{ EVENTSTORE: 'postgres', ESDB_URL: 'esdb://eventstore:2113' }, 'ESDB_URL is set but EVENTSTORE is not esdb'],
    [
      { EVENTSTORE: 'esdb', ESDB_URL: 'http://eventstore:2113' },
      'ESDB_URL must be an esdb:// or esdb+discover:// connection string',
    ],
  ])('refuses %j, saying what to set', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigurationError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('keeps evidence under DATA_DIR by default, or in an S3-compatible bucket', () => {
    expect(loadConfig({ DATA_DIR: '/srv/zhenggai' }).evidence).toEqual({
      kind: 'local',
      dir: '/srv/zhenggai/evidence',
    });
    const s3 = loadConfig({
      EVIDENCE_STORE: 's3',
      S3_ENDPOINT: 'http://minio:9000',
      S3_BUCKET: 'evidence',
      S3_ACCESS_KEY_ID: 'k',
      S3_SECRET_ACCESS_KEY: 's',
    });
    expect(s3.evidence).toMatchObject({
      kind: 's3',
      endpoint: 'http://minio:9000',
      bucket: 'evidence',
      prefix: 'evidence/',
      forcePathStyle: true,
    });
  });

  it('stores events in PostgreSQL by default, in EventStoreDB with EVENTSTORE=esdb and ESDB_URL', () => {
    expect(loadConfig({}).eventStore).toEqual({ kind: 'postgres' });
    expect(loadConfig({ EVENTSTORE: 'postgres' }).eventStore).toEqual({ kind: 'postgres' });
    const url = 'esdb://eventstore:2113?tls=false';
    expect(loadConfig({ EVENTSTORE: 'esdb', ESDB_URL: url }).eventStore).toEqual({ kind: 'esdb', url });
    expect(loadConfig({ EVENTSTORE: 'ESDB', ESDB_URL: 'esdb+discover://cluster.example:2113' }).eventStore.kind).toBe(
      'esdb',
    );
  });

  it(
    'queues on Redis under the prefix REDIS_PREFIX (default bull), so that ' +
      'several installations can share one Redis',
    () => {
      expect(loadConfig({ REDIS_URL: 'redis://redis:6379' })).toMatchObject({
        redisUrl: 'redis://redis:6379',
        redisPrefix: 'bull',
      });
      expect(loadConfig({ REDIS_URL: 'redis://redis:6379', REDIS_PREFIX: 'zg-test.1' }).redisPrefix).toBe('zg-test.1');
      expect(() => loadConfig({ REDIS_PREFIX: 'a b' })).toThrow(/REDIS_PREFIX/);
    },
  );

  it('takes every projection lease at once unless PROJECTIONS_PREFERRED names the ones this worker prefers', () => {
    expect(loadConfig({})).toMatchObject({ preferredProjections: null, projectionDeferSeconds: 30 });
    expect(loadConfig({ PROJECTIONS_PREFERRED: ' tasks, todo ,', PROJECTION_DEFER_SECONDS: '10' })).toMatchObject({
      preferredProjections: ['tasks', 'todo'],
      projectionDeferSeconds: 10,
    });
    expect(() => loadConfig({ PROJECTIONS_PREFERRED: 'tasks,task' })).toThrow(
      /PROJECTIONS_PREFERRED names projections that do not exist: task \(they are [a-z, ]*tasks/,
    );
  });

  it('lists every problem at once', () => {
    expect(() => loadConfig({ PORT: '-1', DATABASE_URL: 'postgres://db/z' })).toThrow(/JWT_SECRET[\s\S]*PORT/);
  });
});
