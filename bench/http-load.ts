import { closedLoop, timed } from './closed-loop';
import { HttpConnection } from './http-connection';

/**
 * The HTTP side of `npm run bench`, in its own process: CONCURRENCY clients, each looping
 * assign (POST /api/findings/:id/tasks) + accept + progress and filing a new finding every few tasks
 * (a finding groups a handful of tasks); every command is timed and counted. Sends its sample to the parent.
 */
const [base, concurrency, durationMs, warmupMs] = [
  process.argv[2],
  Number(process.argv[3]),
  Number(process.argv[4]),
  Number(process.argv[5]),
];
const TASKS_PER_FINDING = 5;

// Each client has a keep-alive connection of its own; the setup requests use the first.
const { hostname, port } = new URL(base);
let connections: HttpConnection[] = [];

async function request(
  method: string,
  path: string,
  token: string | null,
  body?: unknown,
  connection = connections[0]!,
): Promise<any> {
  const answer = await connection.request(method, path, token, body);
  if (answer.status >= 400) throw new Error(`${method} ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
}

const post = (worker: number, token: string, path: string, body: unknown) =>
  request('POST', path, token, body, connections[worker]);

async function main(): Promise<void> {
  connections = await Promise.all(
    Array.from({ length: concurrency }, () => HttpConnection.open(hostname, Number(port))),
  );
  const getJson = (path: string, token: string) => request('GET', path, token);
  const token = async (username: string): Promise<string> =>
    (await request('POST', '/api/auth/login', null, { username, password: 'rectify-demo' })).accessToken;
  const inspector = await token('inspector');
  const unit = await token('unit');
  const me = await getJson('/api/auth/me', unit);
  const regions = await getJson('/api/regions', inspector);
  const regionId = regions.find((r: { name: string }) => r.name === '蔡郢村').id;
  const deadline = new Date(Date.now() + 8 * 3600_000 + 30 * 86_400_000).toISOString().slice(0, 10);
  // A finding groups a handful of tasks: each client files a new one (timed and counted) every few tasks.
  const current = Array.from({ length: concurrency }, () => ({ findingId: '', tasks: 0 }));
  const sample = await closedLoop(concurrency, durationMs, warmupMs, async (worker, record) => {
    const slot = current[worker];
    if (slot.tasks % TASKS_PER_FINDING === 0) {
      const filed = await timed(record, () =>
        post(worker, inspector, '/api/findings', {
          title: `基准测试问题 ${worker}`,
          regionId,
          category: 'roads',
          severity: 'low',
        }),
      );
      slot.findingId = filed.id;
    }
    slot.tasks++;
    const task = await timed(record, () =>
      post(worker, inspector, `/api/findings/${slot.findingId}/tasks`, {
        unitId: me.unitId,
        deadline,
        measures: '整改',
        target: { quantity: 10, unit: '户' },
      }),
    );
    await timed(record, () => post(worker, unit, `/api/tasks/${task.id}/accept`, {}));
    await timed(record, () => post(worker, unit, `/api/tasks/${task.id}/progress`, { quantityDone: 5, note: '过半' }));
  });
  process.send!(sample, () => process.exit(0));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
