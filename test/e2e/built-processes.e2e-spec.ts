import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { BUILT, BuiltProcess, demoDatabase, expectWebAppServed, startBuiltProcess } from '../support/built-process';
import { eventually, login } from '../support/http-client';
import { TestDatabase } from '../support/test-database';

const HEALTHCHECK = join(__dirname, '../../dist/scripts/healthcheck.js');
const REBUILD = join(__dirname, '../../dist/scripts/rebuild-projections.js');
const JWT_SECRET = 'split-secret-that-is-long-enough-0123456789';

/**
 * The production split as docker-compose runs it, from the built files the image holds: the API process
 * (`npm run start:api`) and a worker (`npm run start:worker`) on one database, and the image's health check.
 */
describe('the built API and worker processes (production split)', () => {
  const held: { database?: TestDatabase; api?: BuiltProcess; worker?: BuiltProcess } = {};

  beforeAll(async () => {
    held.database = await demoDatabase(JWT_SECRET);
    const settings = { DATABASE_URL: held.database.url, JWT_SECRET };
    held.api = await startBuiltProcess(BUILT.api, settings);
    held.worker = await startBuiltProcess(BUILT.worker, settings, { readyLine: /zhenggai-worker: running/ });
  }, 180_000);

  afterAll(async () => {
    // Longer than the processes' own bound on a stop (SHUTDOWN_GRACE_SECONDS, 20 s): one that overruns it says which
    // step it abandoned and exits 1, rather than being killed by this test at the same moment with nothing said.
    const processes = [held.api, held.worker].filter((running): running is BuiltProcess => running !== undefined);
    const exits = await Promise.all(processes.map((running) => running.stop(30_000)));
    await held.database?.drop();
    // A clean stop on SIGTERM; else what each process printed last.
    const stops = processes.map((running, i) => (exits[i] === 0 ? 0 : `${exits[i]}: ${running.output().slice(-2000)}`));
    expect(stops).toEqual(processes.map(() => 0));
  }, 90_000);

  it('loads the clients of what is not configured only when it is: a process starts without them', () => {
    // What main.js of the all-in-one loads (the API with the worker's module); each client below costs 70–250 ms and
    // 12–30 MB of resident memory at a start that does not use it.
    const dist = join(__dirname, '../../dist');
    const loaded = spawnSync(
      process.execPath,
      [
        '-e',
        `require('reflect-metadata');
         require(${JSON.stringify(join(dist, 'libs/platform/src/index.js'))});
         require(${JSON.stringify(join(dist, 'apps/api/src/create-api-app.js'))});
         require(${JSON.stringify(join(dist, 'apps/worker/src/worker.module.js'))});
         const names = ['exceljs', 'nodemailer', '@aws-sdk/client-s3', '@eventstore/db-client'];
         console.log(JSON.stringify(names.filter((n) =>
           Object.keys(require.cache).some((file) => file.includes('/node_modules/' + n + '/')))));`,
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(loaded.stderr).toBe('');
    expect(JSON.parse(loaded.stdout)).toEqual([]);
  });

  it('the API process serves the web app at / and its routes', async () => {
    await expectWebAppServed(held.api!.http!);
  });

  it('a command through the API is projected by the worker into the lists', async () => {
    const http = held.api!.http!;
    const inspector = await login(http, 'inspector');
    const unitId = (await login(http, 'unit').then((unit) => unit.get('/api/auth/me'))).body.unitId;
    const regionId = (await inspector.get('/api/regions')).body.find((r: { name: string }) => r.name === '王堰镇').id;
    const filed = await inspector.post('/api/findings', {
      title: '拆分部署下的问题',
      regionId,
      category: 'roads',
      severity: 'low',
    });
    expect(filed.status).toBe(201);
    const deadline = new Date(Date.now() + 8 * 3600_000 + 5 * 86_400_000).toISOString().slice(0, 10);
    const assigned = await inspector.post(`/api/findings/${filed.body.id}/tasks`, {
      unitId,
      deadline,
      measures: '修路',
    });
    expect(assigned.status).toBe(201);
    const listed = await eventually(
      async () => {
        const list = await inspector.get(`/api/tasks?findingId=${filed.body.id}`);
        return list.body.items?.length === 1 ? list.body.items[0] : undefined;
      },
      60_000,
      250,
    );
    expect(listed).toMatchObject({ id: assigned.body.id, status: 'assigned' });
  });

  it('the image’s health checks pass: the API answers, and a worker holds every projection', async () => {
    const check = (kind: string, env: Record<string, string>) =>
      spawnSync(process.execPath, [HEALTHCHECK, kind], {
        env: { ...process.env, ...env },
        encoding: 'utf8',
        timeout: 30_000,
      });
    const port = new URL(held.api!.http!.baseUrl).port;
    const api = check('api', { PORT: port });
    expect(`${api.status} ${api.stdout}${api.stderr}`).toBe('0 ok\n');
    const worker = await eventually(
      async () => {
        const run = check('worker', { API_HEALTH_URL: `${held.api!.http!.baseUrl}/health` });
        return run.status === 0 ? run.stdout : undefined;
      },
      60_000,
      500,
    );
    expect(worker).toMatch(/^ok: \d+ projections held/);
  });

  it(
    '`npm run projections:rebuild` rebuilds a read model while the ' +
      'processes serve, and the lists answer as before',
    async () => {
      const inspector = await login(held.api!.http!, 'inspector');
      const before = (await inspector.get('/api/tasks?pageSize=200')).body;
      const rebuild = spawnSync(process.execPath, [REBUILD, 'tasks'], {
        env: { ...process.env, DATABASE_URL: held.database!.url, JWT_SECRET },
        encoding: 'utf8',
        timeout: 120_000,
      });
      expect(rebuild.status === 0 ? 0 : `${rebuild.status}: ${rebuild.stdout}${rebuild.stderr}`).toBe(0);
      const after = await eventually(
        async () => {
          const list = (await inspector.get('/api/tasks?pageSize=200')).body;
          return list.total === before.total ? list : undefined;
        },
        60_000,
        250,
      );
      expect(after.items.map((t: { id: string; revision: number }) => [t.id, t.revision])).toEqual(
        before.items.map((t: { id: string; revision: number }) => [t.id, t.revision]),
      );
    },
  );
});
