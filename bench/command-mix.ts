import { HttpConnection } from './http-connection';

/** The write benchmark's commands: a finding every TASKS_PER_FINDING tasks, each assigned, accepted, reported on. */
export const TASKS_PER_FINDING = 5;

/** One command of the mix, sent when `send` is called; each is timed or counted by whoever runs the mix. */
export type Each = <T>(send: () => Promise<T>) => Promise<T>;

/**
 * The write benchmark's HTTP commands on `connections` (one keep-alive connection a client): signs in the demo's
 * inspector and unit on the first, then answers one loop for a client, which files a new finding every few tasks
 * (a finding groups a handful of tasks, as in the demo) and assigns, accepts and reports on a task, each command
 * passed through `each`. Used by the HTTP side of the write path (timed) and by the instruction count (counted).
 */
export async function commandMix(
  connections: readonly HttpConnection[],
): Promise<(client: number, each: Each) => Promise<void>> {
  const request = async (method: string, path: string, token: string | null, body?: unknown, client = 0) => {
    const answer = await connections[client]!.request(method, path, token, body);
    if (answer.status >= 400) throw new Error(`${method} ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body;
  };
  const token = async (username: string): Promise<string> =>
    (await request('POST', '/api/auth/login', null, { username, password: 'rectify-demo' })).accessToken;
  const inspector = await token('inspector');
  const unit = await token('unit');
  const me = await request('GET', '/api/auth/me', unit);
  const regions = await request('GET', '/api/regions', inspector);
  const regionId = regions.find((r: { name: string }) => r.name === '蔡郢村').id;
  const deadline = new Date(Date.now() + 8 * 3600_000 + 30 * 86_400_000).toISOString().slice(0, 10);
  const current = connections.map(() => ({ findingId: '', tasks: 0 }));
  return async (client, each) => {
    const post = (token: string, path: string, body: unknown) => request('POST', path, token, body, client);
    const slot = current[client]!;
    if (slot.tasks % TASKS_PER_FINDING === 0) {
      const filed = await each(() =>
        post(inspector, '/api/findings', {
          title: `基准测试问题 ${client}`,
          regionId,
          category: 'roads',
          severity: 'low',
        }),
      );
      slot.findingId = filed.id;
    }
    slot.tasks++;
    const task = await each(() =>
      post(inspector, `/api/findings/${slot.findingId}/tasks`, {
        unitId: me.unitId,
        deadline,
        measures: '整改',
        target: { quantity: 10, unit: '户' },
      }),
    );
    await each(() => post(unit, `/api/tasks/${task.id}/accept`, {}));
    await each(() => post(unit, `/api/tasks/${task.id}/progress`, { quantityDone: 5, note: '过半' }));
  };
}
