import { Agent, request as httpRequest } from 'node:http';
import { closedLoop, timed } from './closed-loop';

/**
 * The HTTP side of `npm run bench`, in its own process: CONCURRENCY clients, each looping
 * assign (POST /api/findings/:id/tasks) + accept + progress and filing a new finding every few tasks
 * (a finding groups a handful of tasks); every command is timed and counted. Sends its sample to the parent.
 */
const [base, concurrency, durationMs, warmupMs] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4]), Number(process.argv[5])];
const TASKS_PER_FINDING = 5;

// node:http with keep-alive rather than fetch: the generator shares two cores with the server and PostgreSQL,
// and fetch costs several times more CPU per request.
const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
const { hostname, port } = new URL(base);

function request(method: string, path: string, token: string | null, body?: unknown): Promise<any> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        agent,
        hostname,
        port,
        method,
        path,
        headers: {
          ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const json = JSON.parse(Buffer.concat(chunks).toString('utf8'));
          if ((res.statusCode ?? 500) >= 400) reject(new Error(`${method} ${path}: ${res.statusCode} ${JSON.stringify(json)}`));
          else resolve(json);
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

const post = (token: string, path: string, body: unknown) => request('POST', path, token, body);

async function main(): Promise<void> {
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
      const filed = await timed(record, () => post(inspector, '/api/findings', { title: `基准测试问题 ${worker}`, regionId, category: 'roads', severity: 'low' }));
      slot.findingId = filed.id;
    }
    slot.tasks++;
    const task = await timed(record, () =>
      post(inspector, `/api/findings/${slot.findingId}/tasks`, { unitId: me.unitId, deadline, measures: '整改', target: { quantity: 10, unit: '户' } }),
    );
    await timed(record, () => post(unit, `/api/tasks/${task.id}/accept`, {}));
    await timed(record, () => post(unit, `/api/tasks/${task.id}/progress`, { quantityDone: 5, note: '过半' }));
  });
  process.send!(sample, () => process.exit(0));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
