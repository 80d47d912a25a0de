import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startScript } from '../../scripts/start-command';
import { expectWebAppServed } from '../support/built-process';
import { findFreePort, removeDataFolder } from '@zhenggai/postgres';
import { eventually, HttpClient, login } from '../support/http-client';

const MAIN = join(__dirname, '../../dist/apps/all-in-one/src/main.js');

/**
 * `npm start` as a new user runs it: the built all-in-one with its node options, no configuration, an empty data
 * folder, from a private folder as `mktemp -d` makes it (0700: run as root, PostgreSQL's OS user cannot enter it).
 */
describe('the embedded default (built all-in-one process, no configuration)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'zhenggai-embedded-'));
  let port: number;
  let child: ChildProcess | null = null;
  let output = '';

  async function start(): Promise<HttpClient> {
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), DATA_DIR: dataDir };
    for (const name of [
      'DATABASE_URL',
      'EVENTSTORE',
      'ESDB_URL',
      'JWT_SECRET',
      'SEED_DEMO',
      'ADMIN_USERNAME',
      'ADMIN_PASSWORD',
      'HOST',
    ])
      delete env[name];
    const npmStart = startScript(join(__dirname, '../..'));
    child = spawn(process.execPath, [...npmStart.nodeOptions, MAIN], {
      cwd: dataDir,
      env: { ...npmStart.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout!.on('data', (chunk) => (output += chunk));
    child.stderr!.on('data', (chunk) => (output += chunk));
    const http = new HttpClient(`http://127.0.0.1:${port}`);
    await eventually(
      async () => {
        if (child?.exitCode !== null) throw new Error(`the process exited:\n${output}`);
        const answer = await http.get('/health').catch(() => null);
        return answer?.status === 200 ? true : undefined;
      },
      60_000,
      250,
    );
    return http;
  }

  async function stop(): Promise<void> {
    const running = child;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise<number | null>((resolve) => running.once('exit', resolve));
    running.kill('SIGTERM');
    expect(await exited).toBe(0);
    child = null;
  }

  beforeAll(async () => {
    port = await findFreePort();
  });
  afterAll(async () => {
    await stop();
    await removeDataFolder(dataDir);
  });

  it('starts with the demo story, prints the URL and accounts, and keeps everything across a restart', async () => {
    const http = await start();
    expect(output).toContain(`http://localhost:${port}`);
    expect(output).toMatch(/admin, inspector, unit, leader/);
    await expectWebAppServed(http);
    // As npm start runs it: glibc's malloc kept to two arenas (some 60 MB less resident memory than one per thread).
    expect(readFileSync(`/proc/${child!.pid}/environ`, 'utf8').split('\0')).toContain('MALLOC_ARENA_MAX=2');

    const inspector = await login(http, 'inspector');
    const unit = await login(http, 'unit');
    const unitId = (await unit.get('/api/auth/me')).body.unitId;
    const regionId = (await inspector.get('/api/regions')).body.find((r: { name: string }) => r.name === '王堰镇').id;
    const filed = await inspector.post('/api/findings', {
      title: '重启前的问题',
      regionId,
      category: 'roads',
      severity: 'low',
    });
    const deadline = new Date(Date.now() + 8 * 3600_000 + 5 * 86_400_000).toISOString().slice(0, 10);
    const assigned = await inspector.post(`/api/findings/${filed.body.id}/tasks`, {
      unitId,
      deadline,
      measures: '修路',
    });
    expect(assigned.status).toBe(201);
    expect((await unit.post(`/api/tasks/${assigned.body.id}/accept`)).status).toBe(200);

    await stop();
    expect(child).toBeNull();
    // A clean stop takes the embedded PostgreSQL down with it.
    expect(existsSync(join(dataDir, 'postgres', 'postmaster.pid'))).toBe(false);
    const again = await start();
    const task = await (await login(again, 'unit')).get(`/api/tasks/${assigned.body.id}?minRevision=1`);
    expect(task.status).toBe(200);
    expect(task.body).toMatchObject({ status: 'accepted', revision: 1 });
    const units = await (await login(again, 'inspector')).get('/api/units');
    expect(units.body.filter((u: { name: string }) => u.name === '王堰镇人民政府')).toHaveLength(1);
  }, 180_000);
});
