import { HttpAnswer, HttpClient, login } from '../support/http-client';
import { startTestApp, storedEvents, TestApp } from '../support/test-app';

/**
 * Bad input on every command endpoint (every POST/PUT/PATCH/DELETE of the OpenAPI document, so a new endpoint
 * is fuzzed without being listed here): wrong types, missing and extra fields, huge strings, SQL and script
 * fragments, impossible dates, Unicode edge cases, deep and malformed JSON, wrong content types, prototype
 * keys, odd numbers, hostile path parameters. Each is refused with a 4xx problem detail naming the field and
 * stores nothing; the few hostile-but-valid strings a free-text field may take are stored and returned as text.
 * The cases are drawn from a seeded PRNG: `FUZZ_SEED=<n>` replays a run.
 */
const SEED = Number(process.env.FUZZ_SEED ?? 20180516);

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = Array<string | number>;

interface Schema {
  readonly $ref?: string;
  readonly type?: string;
  readonly format?: string;
  readonly enum?: unknown[];
  readonly example?: unknown;
  readonly items?: Schema;
  readonly properties?: Record<string, Schema>;
  readonly required?: string[];
}

interface Endpoint {
  readonly method: string;
  readonly path: string;
  readonly params: string[];
  readonly schema: Schema | null;
}

/** How to call an endpoint so that only the input can be wrong: who, on which ids, with which valid body. */
interface Profile {
  readonly as: string | null;
  readonly params: Record<string, string>;
  readonly body?: { [key: string]: Json };
  /** Where a stored hostile-but-valid string can be read back, from the command's answer. */
  readonly readback?: (answer: { body: any }) => string;
}

/** Refused: 4xx problem. Tolerated: refused, or accepted with the value kept as text (`keep`). */
type Expectation = 'refuse' | 'refuse-or-keep';

interface Case {
  readonly cls: string;
  readonly label: string;
  readonly endpoint: Endpoint;
  readonly profile: Profile;
  readonly params?: Record<string, string>;
  readonly headers?: Record<string, string>;
  readonly body?: string | Blob;
  readonly expect: Expectation;
  /** The field the problem must name (dotted), when the input has one. */
  readonly field?: string;
  readonly status?: number;
  readonly keep?: string;
  /** The path parameter made hostile: a 400 names it, or the id is simply not found (404). */
  readonly pathParam?: string;
}

/** mulberry32: small, fast and good enough to sample test cases reproducibly. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const BODY_LIMIT_BYTES = 256 * 1024;
/** Fields whose value is never stored as sent (hashed) nor returned. */
const SECRET = /password|secret|token/i;
const SQL = [
  "'; DROP TABLE events; --",
  "' OR '1'='1",
  '1; SELECT pg_sleep(5)--',
  "admin'--",
  '"; DELETE FROM users WHERE ""="',
];
const SCRIPT = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  'javascript:alert(document.cookie)',
  '{{constructor.constructor("alert(1)")()}}',
  '${process.exit(1)}',
];
const IMPOSSIBLE_DATES = [
  '2018-02-30',
  '2018-13-01',
  '0000-00-00',
  '2018-9-30',
  '2018-09-30T00:00:00+08:00',
  '2018-09-30T16:00:00Z',
  '2099-02-30',
  '2099-04-31',
  '2100-02-29',
  '+02018-09-30',
  '2018-09-30 ',
  '２０１８-０９-３０',
  '2018-00-10',
];
/** Real dates outside the span the system takes (1900-01-01 to 2999-12-31): refused, never a 500. */
const FAR_DATES = ['9999-12-31', '3000-01-01', '1899-12-31', '0100-01-01', '0001-01-01'];
/** Text PostgreSQL cannot store as given: always refused. */
const UNSTORABLE = [
  ['NUL', 'a\u0000b'],
  ['lone high surrogate', 'a\ud800b'],
  ['lone low surrogate', 'a\udc00b'],
  ['reversed surrogate pair', '\ude00\ud83d'],
  ['NUL alone', '\u0000'],
] as const;
/** Odd but valid Unicode: a free-text field may keep it, exactly. */
const ODD_UNICODE = [
  ['RTL override', 'abc\u202edcba\u202c'],
  ['zero-width joiners', '👨\u200d👩\u200d👧\u200d👦 a\u200bb\u200cc'],
  ['4-byte emoji and math letters', '😀🇨🇳𝕏𠀀'],
  ['combining marks and look-alikes', 'e\u0301\u0302\u0303\u0304 \u212b \u00c5 A\u030a'],
  ['long grapheme cluster', `Z${'\u0336\u0301'.repeat(1500)}`],
  ['BOM, non-characters and controls inside', 'a\ufeffb\uffffc\u0001d\u007fe'],
] as const;

const uuidV4 = (random: () => number) =>
  'xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx'.replace(/[xy]/g, (c) => {
    const n = Math.floor(random() * 16);
    return (c === 'x' ? n : (n & 0x3) | 0x8).toString(16);
  });

const dotted = (path: Path) => path.join('.');
/** `levels[0].label` and `levels.0.label` are the same field. */
const normalizeField = (field: unknown) => (typeof field === 'string' ? field.replace(/\[(\d+)\]/g, '.$1') : field);

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

function setAt(body: { [key: string]: Json }, path: Path, value: Json | undefined): { [key: string]: Json } {
  const copy = clone(body);
  let node: any = copy;
  for (const step of path.slice(0, -1)) node = node[step];
  const last = path[path.length - 1];
  if (value === undefined) {
    if (Array.isArray(node)) node.splice(Number(last), 1);
    else delete node[last];
  } else node[last] = value;
  return copy;
}

function getAt(body: Json, path: Path): Json | undefined {
  let node: any = body;
  for (const step of path) node = node?.[step];
  return node;
}

function containsString(value: unknown, wanted: string): boolean {
  const stack = [value];
  while (stack.length > 0) {
    const next = stack.pop();
    if (next === wanted) return true;
    if (next && typeof next === 'object') stack.push(...Object.values(next));
  }
  return false;
}

/** The command endpoints, as the running app documents them. */
function commandEndpoints(document: any): Endpoint[] {
  const endpoints: Endpoint[] = [];
  for (const [path, operations] of Object.entries<Record<string, any>>(document.paths)) {
    for (const [method, operation] of Object.entries<any>(operations)) {
      if (!['post', 'put', 'patch', 'delete'].includes(method)) continue;
      const params = (operation.parameters ?? []).filter((p: any) => p.in === 'path').map((p: any) => p.name as string);
      const schema = operation.requestBody?.content?.['application/json']?.schema ?? null;
      endpoints.push({ method: method.toUpperCase(), path, params, schema });
    }
  }
  return endpoints;
}

describe('bad input on every command endpoint', () => {
  let app: TestApp;
  let document: any;
  let endpoints: Endpoint[];
  const tokens = new Map<string, string>();
  const signIn = async (username: string): Promise<string> => {
    const answer = await app.http.post('/api/auth/login', { username, password: 'rectify-demo' });
    expect(answer.status).toBe(200);
    return answer.body.accessToken;
  };
  const random = prng(SEED);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
  const sample = <T>(list: readonly T[], n: number): T[] => {
    const pool = [...list];
    const chosen: T[] = [];
    while (pool.length > 0 && chosen.length < n) chosen.push(pool.splice(Math.floor(random() * pool.length), 1)[0]);
    return chosen;
  };

  // What a refused request must leave as it was: the event store and the directory beside it.
  const storeState = async () => {
    const events = await storedEvents(app);
    const { rows } = await app.infra.pool.query(`
      SELECT (SELECT md5(coalesce(string_agg(r::text, '|' ORDER BY r.id), '')) FROM regions r) AS regions,
             (SELECT md5(coalesce(string_agg(u::text, '|' ORDER BY u.id), '')) FROM units u) AS units,
             (SELECT count(*) FROM users)::int AS users,
             (SELECT count(*) FROM reminder_policies)::int AS policies`);
    const directory = rows[0] as { regions: string; units: string; users: number; policies: number };
    return { events: events.length, position: String(events[events.length - 1]?.position ?? 0n), ...directory };
  };

  const resolve = (schema: Schema | undefined): Schema | undefined => {
    if (!schema?.$ref) return schema;
    return document.components.schemas[schema.$ref.replace('#/components/schemas/', '')];
  };

  let ids: Record<string, string>;
  let profiles: Record<string, Profile>;
  /** Each endpoint's own session, so that an accepted logout or disable cannot end another endpoint's. */
  const sessions = new Map<string, string>();
  const keyOf = (endpoint: Endpoint) => `${endpoint.method} ${endpoint.path}`;

  beforeAll(async () => {
    // Every endpoint gets its own sessions (a logout must not end the others'): more sign-ins than the default rate.
    app = await startTestApp({ seed: true, env: { LOGIN_RATE_PER_MINUTE: '10000' } });
    process.stdout.write(`fuzz seed ${SEED} (replay with FUZZ_SEED=${SEED})\n`);
    document = (await app.http.get('/api/docs-json')).body;
    endpoints = commandEndpoints(document);

    for (const username of ['admin', 'inspector', 'unit', 'caiying', 'wangjiaba', 'caoji', 'housing'])
      tokens.set(username, await signIn(username));
    const admin = app.http.as(tokens.get('admin')!);
    const inspector = await login(app.http, 'inspector');
    const users = (await admin.get('/api/users')).body as Array<{
      username: string;
      role: string;
      unitId: string | null;
    }>;
    const userOfUnit = (unitId: string) =>
      users.find((u) => u.role === 'unit' && u.unitId === unitId && tokens.has(u.username))!.username;
    const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
    const taskIn = async (status: string) => {
      // The list is a read model the worker fills: wait for it, then trust the stream. Not yet due, so that
      // an extension may still be asked for.
      const items = await eventuallyList(() => inspector.get(`/api/tasks?status=${status}&pageSize=200`));
      const led = items.filter((t: any) =>
        users.some((u) => u.role === 'unit' && u.unitId === t.leadUnitId && tokens.has(u.username)),
      );
      const task = led.find((t: any) => t.deadline > today) ?? led[0];
      const current = (await inspector.get(`/api/tasks/${task.id}`)).body;
      expect(current.status).toBe(status);
      return task as { id: string; findingId: string; leadUnitId: string; deadline: string };
    };
    const assigned = await taskIn('assigned');
    const inProgress = await taskIn('in_progress');
    const submitted = await taskIn('submitted');
    const closed = await taskIn('closed');
    const later = (date: string, days: number) =>
      new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
    const lead = userOfUnit(inProgress.leadUnitId);
    const asLead = app.http.as(tokens.get(lead)!);
    const requested = await asLead.post(`/api/tasks/${inProgress.id}/extension-requests`, {
      deadline: later(inProgress.deadline, 30),
      reason: '需要更多时间',
    });
    expect(requested.status).toBe(201);
    const units = (await inspector.get('/api/units')).body as Array<{ id: string; name: string; regionId: string }>;
    const regions = (await inspector.get('/api/regions')).body as Array<{ id: string; name: string; path: string[] }>;
    const categories = (await inspector.get('/api/categories')).body as Array<{
      id: string;
      code: string;
      name: string;
    }>;
    const campaigns = (await inspector.get('/api/campaigns')).body;
    const campaignList = Array.isArray(campaigns) ? campaigns : campaigns.items;
    ids = {
      finding: inProgress.findingId,
      assigned: assigned.id,
      inProgress: inProgress.id,
      submitted: submitted.id,
      closed: closed.id,
      request: requested.body.requestId,
      campaign: campaignList[0].id,
      unit: inProgress.leadUnitId,
      otherUnit: units.find((u) => u.id !== inProgress.leadUnitId && u.id !== assigned.leadUnitId)!.id,
      region: regions.find((r) => r.name === '蔡郢村')!.id,
    };
    const target = await admin.post('/api/users', {
      username: 'fuzz-target',
      displayName: '被停用的账号',
      role: 'inspector',
      password: 'a-long-enough-password-1',
    });
    expect(target.status).toBe(201);
    ids.user = target.body.id;
    // 情况通报: a bulletin to issue again, a weekly bulletin to change.
    const issued = await inspector.post('/api/bulletins', {
      scope: { campaignId: ids.campaign },
      period: { from: later(today, -7), to: today },
    });
    expect(issued.status).toBe(201);
    ids.bulletin = issued.body.id;
    const scheduled = await admin.post('/api/settings/bulletins', { regionId: ids.region, weekday: 1, time: '09:00' });
    expect(scheduled.status).toBe(201);
    ids.schedule = scheduled.body.scheduleId;
    const evidence = [{ ref: 'photo-2018-07-14-001.jpg', name: '整改后照片', sha256: 'a'.repeat(64) }];
    // A unit below the lead unit of the task in progress, which it may break its task down to.
    const leadRegion = units.find((u) => u.id === inProgress.leadUnitId)!.regionId;
    const below = units.find((u) => {
      const path = regions.find((r) => r.id === u.regionId)?.path ?? [];
      return path.includes(leadRegion) && u.regionId !== leadRegion;
    });
    const history = (taskId: string) => () => `/api/tasks/${taskId}/history`;
    profiles = {
      'POST /api/auth/login': { as: null, params: {}, body: { username: 'fuzz-nobody', password: 'not-the-password' } },
      'POST /api/findings': {
        as: 'inspector',
        params: {},
        body: {
          title: '沟渠堵塞',
          description: '水渠淤塞',
          regionId: ids.region,
          category: 'ponds-ditches',
          severity: 'medium',
          source: '督查',
          evidence,
        },
        readback: (a) => `/api/findings/${a.body.id}`,
      },
      'POST /api/findings/{id}/tasks': {
        as: 'inspector',
        params: { id: ids.finding },
        body: {
          unitId: ids.unit,
          cooperatingUnitIds: [ids.otherUnit],
          deadline: later(today, 20),
          measures: '清淤',
          target: { quantity: 10, unit: '公里' },
          title: '清淤',
        },
        readback: (a) => `/api/tasks/${a.body.id}`,
      },
      'POST /api/tasks/{id}/accept': { as: userOfUnit(assigned.leadUnitId), params: { id: ids.assigned }, body: {} },
      'POST /api/tasks/{id}/plan': {
        as: lead,
        params: { id: ids.inProgress },
        body: { plan: '分段清淤' },
        readback: history(ids.inProgress),
      },
      'POST /api/tasks/{id}/progress': {
        as: lead,
        params: { id: ids.inProgress },
        body: { quantityDone: 43, note: '已完成', evidence },
        readback: history(ids.inProgress),
      },
      'POST /api/tasks/{id}/subtasks': {
        as: lead,
        params: { id: ids.inProgress },
        body: {
          subtasks: [
            { unitId: below?.id ?? ids.otherUnit, deadline: inProgress.deadline, measures: '分村清淤', title: '清淤' },
          ],
        },
        readback: history(ids.inProgress),
      },
      'POST /api/tasks/{id}/submit': {
        as: lead,
        params: { id: ids.inProgress },
        body: { report: '全部完成', evidence, quantityDone: 50 },
        readback: history(ids.inProgress),
      },
      'POST /api/tasks/{id}/verify': {
        as: 'inspector',
        params: { id: ids.submitted },
        body: { note: '同意销号' },
        readback: history(ids.submitted),
      },
      'POST /api/tasks/{id}/send-back': {
        as: 'inspector',
        params: { id: ids.submitted },
        body: { reason: '佐证材料不全' },
        readback: history(ids.submitted),
      },
      'POST /api/tasks/{id}/reassign': {
        as: 'inspector',
        params: { id: ids.assigned },
        body: { reason: '改由他单位牵头', unitId: ids.otherUnit, cooperatingUnitIds: [ids.unit] },
        readback: history(ids.assigned),
      },
      'POST /api/tasks/{id}/cancel': {
        as: 'inspector',
        params: { id: ids.assigned },
        body: { reason: '重复交办' },
        readback: history(ids.assigned),
      },
      'POST /api/tasks/{id}/reopen': {
        as: 'inspector',
        params: { id: ids.closed },
        body: { reason: '回头看', deadline: later(today, 30) },
        readback: history(ids.closed),
      },
      'POST /api/tasks/{id}/extension-requests': {
        as: lead,
        params: { id: ids.inProgress },
        body: { deadline: later(inProgress.deadline, 60), reason: '汛期影响施工' },
        readback: history(ids.inProgress),
      },
      'POST /api/tasks/{id}/extension-requests/{requestId}/approve': {
        as: 'inspector',
        params: { id: ids.inProgress, requestId: ids.request },
        body: {},
      },
      'POST /api/tasks/{id}/extension-requests/{requestId}/refuse': {
        as: 'inspector',
        params: { id: ids.inProgress, requestId: ids.request },
        body: { reason: '时限不能突破' },
        readback: history(ids.inProgress),
      },
      'POST /api/campaigns': {
        as: 'inspector',
        params: {},
        body: {
          name: '沟渠清淤专项',
          description: '全县沟渠清淤',
          deadline: later(today, 90),
          scope: { regionId: ids.region, category: 'ponds-ditches' },
          targets: [{ quantity: 20, unit: '公里', label: '清淤里程' }],
        },
        readback: (a) => `/api/campaigns/${a.body.id}`,
      },
      'POST /api/regions': {
        as: 'admin',
        params: {},
        body: { code: '341225999001', name: '测试村', level: 'village', parentId: ids.region },
        readback: () => '/api/regions',
      },
      'POST /api/units': {
        as: 'admin',
        params: {},
        body: { name: '测试单位', regionId: ids.region, headName: '张三', contact: '0558-0000000' },
        readback: () => '/api/units',
      },
      'POST /api/users': {
        as: 'admin',
        params: {},
        body: {
          username: 'fuzz-user',
          displayName: '测试用户',
          role: 'unit',
          unitId: ids.unit,
          password: 'long-enough-password-2',
        },
        readback: () => '/api/users',
      },
      'POST /api/inbox/{taskId}/{reminderId}/read': {
        as: lead,
        params: { taskId: ids.inProgress, reminderId: 'reminder-1' },
        body: {},
      },
      'PUT /api/reminder-policies/{id}': {
        as: 'admin',
        params: { id: 'default' },
        body: {
          name: '催办规则',
          levels: [
            {
              level: 'urge',
              label: '催办',
              kind: 'reminder',
              offset: { days: -1, hourOfDay: 9 },
              recipients: ['unit'],
            },
          ],
        },
        readback: () => '/api/reminder-policies',
      },
      'PUT /api/units/{id}/channels': {
        as: 'admin',
        params: { id: ids.unit },
        body: { channels: [{ kind: 'email', address: 'office@example.org', audience: 'unit' }] },
        readback: () => `/api/units/${ids.unit}/channels`,
      },
      'POST /api/admin/deliveries/{id}/retry': { as: 'admin', params: { id: 'no-such-delivery' } },
      'POST /api/bulletins': {
        as: 'inspector',
        params: {},
        body: { scope: { campaignId: ids.campaign }, period: { from: later(today, -7), to: today }, title: '情况通报' },
        readback: (a) => `/api/bulletins/${a.body.id}`,
      },
      'POST /api/bulletins/{id}/versions': {
        as: 'inspector',
        params: { id: ids.bulletin },
        body: { title: '情况通报（更正）' },
        readback: () => `/api/bulletins/${ids.bulletin}`,
      },
      'POST /api/settings/bulletins': {
        as: 'admin',
        params: {},
        body: { regionId: ids.region, weekday: 2, time: '10:00' },
        readback: () => '/api/settings/bulletins',
      },
      'PUT /api/settings/bulletins/{scheduleId}': {
        as: 'admin',
        params: { scheduleId: ids.schedule },
        body: { regionId: ids.region, weekday: 1, time: '09:00' },
        readback: () => '/api/settings/bulletins',
      },
      'DELETE /api/settings/bulletins/{scheduleId}': { as: 'admin', params: { scheduleId: ids.schedule } },
      'PATCH /api/regions/{id}': {
        as: 'admin',
        params: { id: ids.region },
        body: { name: '蔡郢村' },
        readback: () => `/api/regions/${ids.region}`,
      },
      'PATCH /api/units/{id}': {
        as: 'admin',
        params: { id: ids.unit },
        body: { name: units.find((u) => u.id === ids.unit)!.name, headName: '李四', contact: '0558-1111111' },
        readback: () => `/api/units/${ids.unit}`,
      },
      'POST /api/categories': {
        as: 'admin',
        params: {},
        body: { code: 'fuzz-category', name: '测试类别' },
        readback: () => '/api/categories',
      },
      'PATCH /api/categories/{id}': {
        as: 'admin',
        params: { id: categories[0].id },
        body: { name: categories[0].name },
        readback: () => '/api/categories',
      },
      'PATCH /api/users/{id}': {
        as: 'admin',
        params: { id: ids.user },
        body: { displayName: '被停用的账号', role: 'inspector', unitId: null, regionScopeId: ids.region },
        readback: () => `/api/users/${ids.user}`,
      },
      'POST /api/users/{id}/password': {
        as: 'admin',
        params: { id: ids.user },
        body: { password: 'a-long-enough-password-3' },
      },
      'POST /api/users/{id}/disable': { as: 'admin', params: { id: ids.user } },
      'POST /api/users/{id}/enable': { as: 'admin', params: { id: ids.user } },
    };
    for (const endpoint of endpoints) {
      const as = profileOf(endpoint).as;
      if (as) sessions.set(keyOf(endpoint), await signIn(as));
    }
  });
  afterAll(() => app?.close());

  async function eventuallyList(get: () => Promise<{ body: any }>): Promise<any[]> {
    const until = Date.now() + 10_000;
    for (;;) {
      const items = (await get()).body?.items ?? [];
      if (items.length > 0 || Date.now() > until) return items;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** A valid value for a schema, for endpoints this file does not know yet. */
  function exampleOf(schema: Schema | undefined): Json {
    const s = resolve(schema);
    if (!s) return 'fuzz';
    if (s.enum) return s.enum[0] as Json;
    if (s.example !== undefined) return s.example as Json;
    if (s.properties) {
      const body: { [key: string]: Json } = {};
      for (const name of s.required ?? []) body[name] = exampleOf(s.properties[name]);
      return body;
    }
    switch (s.type) {
      case 'string':
        return s.format === 'uuid' ? ids.unit : 'fuzz';
      case 'number':
      case 'integer':
        return 1;
      case 'boolean':
        return true;
      case 'array':
        return [exampleOf(s.items)];
      default:
        return {};
    }
  }

  function profileOf(endpoint: Endpoint): Profile {
    const known = profiles[keyOf(endpoint)];
    if (known) return known;
    // A new endpoint: an admin, real ids, a body built from its schema.
    const params = Object.fromEntries(
      endpoint.params.map((p) => [
        p,
        /request/i.test(p) ? ids.request : /user/.test(endpoint.path) ? ids.user : ids.inProgress,
      ]),
    );
    const body = endpoint.schema ? (exampleOf(endpoint.schema) as { [key: string]: Json }) : undefined;
    return { as: 'admin', params, body };
  }

  interface Field {
    readonly path: Path;
    readonly kind: 'string' | 'number' | 'boolean' | 'array' | 'object' | 'unknown';
    readonly required: boolean;
    readonly date: boolean;
  }

  /** Every field of the body: from the schema, and from the valid body (which also reaches into arrays). */
  function fieldsOf(endpoint: Endpoint, body: { [key: string]: Json } | undefined): Field[] {
    const fields = new Map<string, Field>();
    const kindOf = (value: unknown): Field['kind'] =>
      typeof value === 'string'
        ? 'string'
        : typeof value === 'number'
          ? 'number'
          : typeof value === 'boolean'
            ? 'boolean'
            : Array.isArray(value)
              ? 'array'
              : value && typeof value === 'object'
                ? 'object'
                : 'unknown';
    const isDate = (name: string | number, example: unknown) =>
      /deadline|date/i.test(String(name)) || (typeof example === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(example));
    const fromSchema = (schema: Schema | undefined, path: Path) => {
      const s = resolve(schema);
      for (const [name, child] of Object.entries(s?.properties ?? {})) {
        const c = resolve(child)!;
        const at = [...path, name];
        const kind: Field['kind'] = c.properties
          ? 'object'
          : c.type === 'integer'
            ? 'number'
            : ((c.type as Field['kind']) ?? 'unknown');
        fields.set(dotted(at), {
          path: at,
          kind,
          required: (s?.required ?? []).includes(name),
          date: isDate(name, c.example),
        });
        const present = body ? getAt(body, at) : undefined;
        if (c.properties && present && typeof present === 'object') fromSchema(c, at);
        if (c.type === 'array' && Array.isArray(present) && present.length > 0 && resolve(c.items)?.properties)
          fromSchema(c.items, [...at, 0]);
      }
    };
    const fromBody = (value: Json, path: Path) => {
      if (path.length > 0 && !fields.has(dotted(path))) {
        // Without a schema, what is required is the controller's to say: a missing field may be defaulted.
        fields.set(dotted(path), {
          path,
          kind: kindOf(value),
          required: false,
          date: isDate(path[path.length - 1], value),
        });
      }
      if (value && typeof value === 'object')
        for (const [k, v] of Object.entries(value)) fromBody(v, [...path, Array.isArray(value) ? Number(k) : k]);
    };
    if (endpoint.schema) fromSchema(endpoint.schema, []);
    if (body) fromBody(body, []);
    return [...fields.values()];
  }

  /** The cases for one endpoint: every class of bad input at least once, the fields sampled. */
  function casesFor(endpoint: Endpoint): Case[] {
    const profile = profileOf(endpoint);
    const base = profile.body;
    const hasBody = base !== undefined;
    // A command without a body ignores whatever is sent as one: refusing it is not its job.
    const ofBody: Expectation = hasBody ? 'refuse' : 'refuse-or-keep';
    const fields = fieldsOf(endpoint, base);
    const strings = fields.filter((f) => f.kind === 'string');
    const numbers = fields.filter((f) => f.kind === 'number');
    const dates = fields.filter((f) => f.date);
    const cases: Case[] = [];
    const json = (value: unknown) => JSON.stringify(value);
    const add = (c: Omit<Case, 'endpoint' | 'profile'>) => cases.push({ endpoint, profile, ...c });
    const withField = (
      field: Field,
      value: Json,
      cls: string,
      label: string,
      expect: Expectation = 'refuse',
      keep?: string,
    ) =>
      add({
        cls,
        label: `${label} in ${dotted(field.path)}`,
        body: json(setAt(base ?? {}, field.path, value)),
        expect,
        field: dotted(field.path),
        keep,
      });

    // The whole body: not an object, not JSON, too deep, too big, or of another content type.
    for (const raw of ['[]', '"x"', '1', 'null', 'true', '[[{}]]'])
      add({ cls: 'body shape', label: `body ${raw}`, body: raw, expect: ofBody, field: 'body' });
    for (const raw of sample(
      [
        '{"title": ',
        "{'a': 1}",
        '{"a": 1} trailing',
        '{"a": 1,}',
        '{"a": NaN}',
        '{"a": 0x10}',
        '{"a": "\\x41"}',
        '{"a": undefined}',
        '{"a":"unterminated}',
        '{"a" 1}',
      ],
      4,
    )) {
      add({ cls: 'malformed JSON', label: `malformed ${json(raw)}`, body: raw, expect: 'refuse', field: 'body' });
    }
    const validText = json(base ?? {});
    const otherType = pick([
      'text/plain',
      'application/xml',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/vnd.api+json',
    ]);
    add({
      cls: 'content type',
      label: 'text/plain',
      headers: { 'content-type': 'text/plain' },
      body: validText,
      expect: ofBody,
    });
    add({
      cls: 'content type',
      label: otherType,
      headers: { 'content-type': otherType },
      body: validText,
      expect: ofBody,
    });
    add({ cls: 'content type', label: 'no content type', body: new Blob([validText]), expect: ofBody });
    add({
      cls: 'deep JSON',
      label: 'body nested 10,000 arrays deep',
      body: '['.repeat(10_000) + ']'.repeat(10_000),
      expect: ofBody,
      field: 'body',
    });
    add({
      cls: 'deep JSON',
      label: 'body nested 100,000 arrays deep',
      body: '['.repeat(100_000) + ']'.repeat(100_000),
      expect: ofBody,
      field: 'body',
    });
    add({
      cls: 'deep JSON',
      label: 'arrays nested 100,000 levels in a field, with an Idempotency-Key',
      headers: { 'idempotency-key': `fuzz-deep-${Math.floor(random() * 1e9)}` },
      body: `{"deep":${'['.repeat(100_000)}${']'.repeat(100_000)}}`,
      expect: ofBody,
      field: 'deep',
    });
    const deepField = strings[0]?.path ?? ['deep'];
    add({
      cls: 'deep JSON',
      label: `an object nested 10,000 levels in ${dotted(deepField)}`,
      body: json(setAt(base ?? {}, deepField, '__FUZZ_DEEP__')).replace(
        '"__FUZZ_DEEP__"',
        `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`,
      ),
      expect: ofBody,
      field: dotted(deepField),
    });
    add({
      cls: 'oversized',
      label: 'a 1 MB string',
      body: json(setAt(base ?? {}, strings[0]?.path ?? ['text'], 'x'.repeat(1 << 20))),
      expect: 'refuse',
      status: 413,
    });
    add({
      cls: 'oversized',
      label: 'a body one byte over the limit',
      body: json({ padding: 'x'.repeat(BODY_LIMIT_BYTES - 13) }) + ' ',
      expect: 'refuse',
      status: 413,
    });

    // Field by field.
    for (const field of fields) {
      const wrong = (
        [
          ['a number', 42],
          ['a string', '42'],
          ['an object', { a: 1 }],
          ['an array', ['a']],
          ['arrays of arrays', [[['x']]]],
          ['an array of objects', [{ a: 1 }]],
          ['a boolean', true],
          ['null', null],
        ] as Array<[string, Json]>
      ).filter(([label]) => !(label === `a ${field.kind}` || label === `an ${field.kind}`));
      // Objects and arrays get every wrong type: a nested object is where a wrong shape slips through.
      for (const [label, value] of field.kind === 'object' || field.kind === 'array' ? wrong : sample(wrong, 3)) {
        // null for an optional field reads as "not given": the valid body without it may be executed.
        withField(field, value, 'wrong type', label, label === 'null' && !field.required ? 'refuse-or-keep' : 'refuse');
      }
      if (field.required || (!endpoint.schema && field.path.length === 1)) {
        add({
          cls: 'missing field',
          label: `without ${dotted(field.path)}`,
          body: json(setAt(base ?? {}, field.path, undefined)),
          expect: field.required ? 'refuse' : 'refuse-or-keep',
          field: dotted(field.path),
        });
      }
    }
    const parents: Path[] = [
      [],
      ...fields.filter((f) => f.kind === 'object' && base && getAt(base, f.path)).map((f) => f.path),
    ];
    for (const parent of sample(parents, 2)) {
      const at = [...parent, `fuzzExtra${Math.floor(random() * 1000)}`];
      // A body without a schema is read field by field by its controller, which ignores what it does not read.
      add({
        cls: 'extra field',
        label: `extra ${dotted(at)}`,
        body: json(setAt(base ?? {}, at, 'x')),
        expect: endpoint.schema ? 'refuse' : 'refuse-or-keep',
        field: dotted(at),
      });
    }
    for (const field of sample(strings, 2)) withField(field, 'x'.repeat(200_000), 'huge string', '200 KB');
    // A secret gets a hostile value of its own below: one seen stored elsewhere could not tell where it came from.
    for (const field of sample(
      strings.filter((f) => !SECRET.test(dotted(f.path))),
      3,
    )) {
      const sql = pick(SQL);
      withField(field, sql, 'SQL', json(sql), 'refuse-or-keep', sql);
      const script = pick(SCRIPT);
      withField(field, script, 'script', json(script), 'refuse-or-keep', script);
    }
    for (const field of strings.filter((f) => SECRET.test(dotted(f.path)))) {
      // Unique, so that finding it stored can only mean it was stored as sent.
      const secret = `${pick(SQL)} ${pick(SCRIPT)} ${Math.floor(random() * 1e9)}`;
      withField(field, secret, 'SQL', 'SQL and script in a secret', 'refuse-or-keep', secret);
    }
    for (const field of numbers) {
      const withNumber = (raw: string) =>
        json(setAt(base ?? {}, field.path, '__FUZZ_NUMBER__')).replace('"__FUZZ_NUMBER__"', raw);
      const odd = ['1e309', '-1e309', '"NaN"', '"Infinity"', '"-0"', '1e-7', '9007199254740993', '"12"', '1.23456'];
      for (const raw of sample(odd, 5))
        add({
          cls: 'numbers',
          label: `${raw} in ${dotted(field.path)}`,
          body: withNumber(raw),
          expect: 'refuse',
          field: dotted(field.path),
        });
      // -0 is a number like 0 (JSON.stringify cannot even write it): where 0 is allowed, it may be taken.
      add({ cls: 'numbers', label: `-0 in ${dotted(field.path)}`, body: withNumber('-0'), expect: 'refuse-or-keep' });
    }
    for (const field of dates)
      for (const date of sample(IMPOSSIBLE_DATES, 6)) withField(field, date, 'impossible date', json(date));
    for (const field of dates) for (const date of sample(FAR_DATES, 2)) withField(field, date, 'far date', json(date));
    for (const field of sample(strings, 3)) {
      for (const [label, text] of sample(UNSTORABLE, 2)) withField(field, text, 'unicode', label);
      const [label, text] = pick(ODD_UNICODE);
      withField(field, text, 'unicode', label, 'refuse-or-keep', text);
    }
    // Bytes that are not UTF-8 are refused, not stored as U+FFFD in their place.
    if (hasBody) {
      const [before, after] = [validText.slice(0, -1), validText.slice(-1)];
      const bytes = new Blob([
        Buffer.concat([
          Buffer.from(`${before}${before.length > 1 ? ',' : ''}"note":"a`),
          Buffer.from([0xc3, 0x28, 0xff]),
          Buffer.from(`b"${after}`),
        ]),
      ]);
      add({
        cls: 'unicode',
        label: 'invalid UTF-8 in the body',
        headers: { 'content-type': 'application/json' },
        body: bytes,
        expect: 'refuse',
        field: 'body',
      });
    }
    // Text PostgreSQL refuses, anywhere: in a property name too.
    add({
      cls: 'unicode',
      label: 'NUL in a property name',
      body: json({ ...base, ['note\u0000']: 'x' }),
      expect: ofBody,
      field: hasBody ? 'body' : undefined,
    });

    // Prototype pollution: the keys must reach neither the prototype nor the store.
    const inside = validText.slice(1, -1);
    const joined = (extra: string) => `{${inside}${inside ? ',' : ''}${extra}}`;
    // The JSON parser refuses `__proto__` and `constructor.prototype` before any validator sees them.
    add({
      cls: 'prototype',
      label: '__proto__ key',
      body: joined('"__proto__":{"polluted":"yes","isAdmin":true}'),
      expect: 'refuse',
      field: '__proto__',
    });
    add({
      cls: 'prototype',
      label: 'constructor.prototype key',
      body: joined('"constructor":{"prototype":{"polluted":"yes"}}'),
      expect: 'refuse',
      field: 'constructor',
    });
    add({
      cls: 'prototype',
      label: 'constructor key',
      body: joined('"constructor":"x"'),
      expect: ofBody,
      field: 'constructor',
    });
    add({
      cls: 'prototype',
      label: 'prototype key',
      body: joined('"prototype":{"polluted":"yes"}'),
      expect: ofBody,
      field: 'prototype',
    });
    const nested = fields.find((f) => f.kind === 'object' && base && getAt(base, f.path));
    if (nested) {
      const raw = json(setAt(base!, nested.path, '__FUZZ_OBJECT__')).replace(
        '"__FUZZ_OBJECT__"',
        `{"constructor":{"name":"x"},${json(getAt(base!, nested.path)).slice(1)}`,
      );
      add({
        cls: 'prototype',
        label: `constructor inside ${dotted(nested.path)}`,
        body: raw,
        expect: 'refuse',
        field: `${dotted(nested.path)}.constructor`,
      });
    }

    // Hostile path parameters.
    for (const param of endpoint.params) {
      const hostile: Array<[string, string]> = [
        ['SQL', encodeURIComponent(pick(SQL))],
        ['script', encodeURIComponent(pick(SCRIPT))],
        ['NUL', 'a%00b'],
        ['path traversal', '..%2F..%2Fetc%2Fpasswd'],
        ['an unknown UUID', uuidV4(random)],
        ['the nil UUID', '00000000-0000-0000-0000-000000000000'],
        ['emoji', encodeURIComponent('😀')],
        ['a UUID with trailing text', `${uuidV4(random)}x`],
      ];
      for (const [label, value] of sample(hostile, 5)) {
        add({
          cls: 'path parameter',
          label: `${param} = ${label}`,
          params: { ...encodedParams(profile), [param]: value },
          body: validText,
          expect: 'refuse',
          pathParam: param,
        });
      }
    }
    // Half the cases also carry an Idempotency-Key, which fingerprints the body before any validation runs.
    return cases.map((c) =>
      random() < 0.5
        ? c
        : { ...c, headers: { 'idempotency-key': `fuzz-${Math.floor(random() * 1e12)}`, ...c.headers } },
    );
  }

  const encodedParams = (profile: Profile) =>
    Object.fromEntries(Object.entries(profile.params).map(([k, v]) => [k, encodeURIComponent(v)]));

  async function send(c: Case, correlationId: string): Promise<{ status: number; contentType: string; body: any }> {
    const params = c.params ?? encodedParams(c.profile);
    const path = c.endpoint.path.replace(/\{(\w+)\}/g, (_, name: string) => params[name]);
    const token = sessions.get(keyOf(c.endpoint));
    const headers: Record<string, string> = {
      ...(typeof c.body === 'string' ? { 'content-type': 'application/json' } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      'x-correlation-id': correlationId,
      ...c.headers,
    };
    const response = await fetch(`${app.http.baseUrl}${path}`, { method: c.endpoint.method, headers, body: c.body });
    const text = await response.text();
    let body: any = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: the assertions say so
    }
    return { status: response.status, contentType: response.headers.get('content-type') ?? '', body };
  }

  /**
   * What went wrong with one case, or null. Refused, it must leave the store as it was: no event of its own
   * (by its correlation id) and the directory unchanged; and while nothing has been accepted yet, no event at all.
   */
  async function check(c: Case, index: number, anyAccepted: boolean): Promise<string | null> {
    const correlationId = `fuzz-${SEED}-${index}`;
    const before = await storeState();
    const answer = await send(c, correlationId);
    const own = {
      rows: (await storedEvents(app))
        .filter((e) => e.metadata.correlationId === correlationId)
        .map((e) => ({ type: e.type })),
    };
    const after = {
      ...(await storeState()),
      ...(anyAccepted ? { events: before.events, position: before.position } : {}),
    };
    const summary = `${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}`;
    if (answer.status >= 500) return `server error: ${summary}`;
    const changed = own.rows.length > 0 || JSON.stringify(before) !== JSON.stringify(after);
    if (answer.status < 400) {
      if (c.expect === 'refuse') return `accepted: ${summary}`;
      // Accepted as a command that changes nothing (resent, or already done) stores nothing to check.
      acceptedChanges += changed ? 1 : 0;
      return c.keep === undefined || !changed ? null : keptAsText(c, answer, correlationId);
    }
    if (!answer.contentType.startsWith('application/problem+json'))
      return `not a problem document (${answer.contentType}): ${summary}`;
    const problem = answer.body;
    if (typeof problem?.type !== 'string' || typeof problem?.title !== 'string' || problem?.status !== answer.status)
      return `incomplete problem: ${summary}`;
    if (typeof problem?.code !== 'string' || !/^[A-Z][A-Z0-9_]+$/.test(problem.code))
      return `a problem without a stable code: ${summary}`;
    if (c.status !== undefined && answer.status !== c.status) return `expected ${c.status}: ${summary}`;
    if (c.field !== undefined && c.expect === 'refuse') {
      if (answer.status !== 400) return `expected a 400 naming ${c.field}: ${summary}`;
      const named = normalizeField(problem.field);
      const wanted = c.field;
      const names =
        typeof named === 'string' &&
        (named === wanted || named.startsWith(`${wanted}.`) || (named !== 'body' && wanted.startsWith(`${named}.`)));
      if (!names) return `names ${JSON.stringify(problem.field)}, not ${wanted}: ${summary}`;
    }
    if (c.pathParam !== undefined && answer.status === 400 && problem.field !== c.pathParam)
      return `a 400 that does not name ${c.pathParam}: ${summary}`;
    if (changed) {
      const appended = (await storedEvents(app, BigInt(before.position))).map((e) => ({
        stream_name: e.streamName,
        type: e.type,
        metadata: e.metadata,
      }));
      return (
        `refused but the store changed: ${JSON.stringify(before)} → ` +
        `${JSON.stringify(after)} ${JSON.stringify(appended)}`
      );
    }
    return null;
  }

  const accepted: string[] = [];

  /** Until the reactions to the setup's commands have been appended: nothing may move while refusals run. */
  async function settled(): Promise<void> {
    let last = JSON.stringify(await storeState());
    for (const until = Date.now() + 5_000; Date.now() < until;) {
      await new Promise((r) => setTimeout(r, 250));
      const now = JSON.stringify(await storeState());
      if (now === last) return;
      last = now;
    }
  }
  let acceptedChanges = 0;

  /** A hostile string that was accepted must be stored as that text and read back unchanged, as JSON. */
  async function keptAsText(c: Case, answer: { body: any }, correlationId: string): Promise<string | null> {
    const keep = c.keep!;
    accepted.push(`${c.endpoint.method} ${c.endpoint.path}: ${c.label}`);
    const events = {
      rows: (await storedEvents(app))
        .filter((e) => e.metadata.correlationId === correlationId)
        .map((e) => ({ data: e.data })),
    };
    const directory = await app.infra.pool.query(
      `SELECT to_jsonb(r) AS row FROM regions r UNION ALL SELECT to_jsonb(u) FROM units u
        UNION ALL SELECT to_jsonb(p) FROM reminder_policies p
        UNION ALL SELECT to_jsonb(u) FROM users u`,
    );
    const stored = containsString([...events.rows, ...directory.rows], keep);
    if (SECRET.test(c.field ?? '')) return stored ? `a secret is stored as sent` : null;
    if (!stored) return `accepted, but ${JSON.stringify(keep).slice(0, 80)} is not stored as given`;
    if (c.profile.readback) {
      const token = sessions.get(keyOf(c.endpoint)) ?? tokens.get('admin')!;
      const read = await fetch(`${app.http.baseUrl}${c.profile.readback(answer)}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      if (read.status !== 200 || !read.headers.get('content-type')?.startsWith('application/json'))
        return `accepted, but read back as ${read.status} ${read.headers.get('content-type')}`;
      if (!containsString(await read.json(), keep))
        return `accepted, but ${JSON.stringify(keep).slice(0, 80)} is not returned unchanged`;
    }
    return null;
  }

  it('answers every bad input with a 4xx problem naming the field, stores nothing, and stays up', async () => {
    const prototypeBefore = Object.getOwnPropertyNames(Object.prototype).sort().join();
    const started = Date.now();
    const all = endpoints.flatMap(casesFor);
    // Refusals first; what may be accepted runs last, so that it cannot move a fixture out of its state.
    const ordered = [...all.filter((c) => c.expect === 'refuse'), ...all.filter((c) => c.expect !== 'refuse')];
    await settled();
    const failures: string[] = [];
    for (const [index, c] of ordered.entries()) {
      const failure = await check(c, index, acceptedChanges > 0);
      if (failure) failures.push(`${c.endpoint.method} ${c.endpoint.path} [${c.cls}] ${c.label}: ${failure}`);
    }
    const unknown = endpoints.filter((e) => !profiles[keyOf(e)]).map(keyOf);
    process.stdout.write(
      `fuzz seed ${SEED}: ${ordered.length} requests on ${endpoints.length} ` +
        `endpoints (${unknown.length} fuzzed from their schema alone: ${unknown.join(', ')}) ` +
        `in ${Date.now() - started} ms; ` +
        `${accepted.length} hostile-but-valid values accepted and kept as text:\n  ${accepted.join('\n  ')}\n`,
    );
    expect(failures).toEqual([]);
    expect((await app.http.get('/health')).status).toBe(200);
    expect(Object.getOwnPropertyNames(Object.prototype).sort().join()).toBe(prototypeBefore);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
  }, 600_000); // some thousand requests one after another: minutes on a busy 2-core machine

  it('fuzzes every command endpoint the app documents', () => {
    expect(endpoints.length).toBeGreaterThanOrEqual(20);
    for (const endpoint of endpoints) expect(casesFor(endpoint).length).toBeGreaterThan(10);
  });

  /** Odd values for a query parameter: none may answer 500, and every refusal is a problem with a code. */
  const ODD_QUERY_VALUES = [
    '-1',
    '0',
    '1.5',
    '1e400',
    '99999999999999999999',
    'NaN',
    'Infinity',
    '',
    ' ',
    'x'.repeat(5_000),
    'a%00b',
    '%ED%A0%80',
    encodeURIComponent('😀'),
    '[object Object]',
    encodeURIComponent('9999-12-31T23:59:59Z'),
    '0000-00-00',
    encodeURIComponent("' OR '1'='1"),
    'true',
  ];

  it(
    'answers odd query parameters on every GET endpoint without a 500, ' + 'every refusal a problem with a code',
    async () => {
      const readers: Record<string, string> = { admin: tokens.get('admin')!, inspector: tokens.get('inspector')! };
      const idFor = (path: string, name: string): string => {
        if (/reminder-policies/.test(path)) return 'default';
        if (/requestId/.test(name)) return ids.request;
        for (const [part, id] of [
          ['tasks', ids.inProgress],
          ['findings', ids.finding],
          ['campaigns', ids.campaign],
          ['units', ids.unit],
          ['regions', ids.region],
          ['users', ids.user],
        ] as const) {
          if (path.startsWith(`/api/${part}/`)) return id;
        }
        return uuidV4(random);
      };
      const failures: string[] = [];
      let requests = 0;
      for (const [path, operations] of Object.entries<Record<string, any>>(document.paths)) {
        const operation = operations.get;
        if (!operation) continue;
        const queries = (operation.parameters ?? [])
          .filter((p: any) => p.in === 'query')
          .map((p: any) => p.name as string);
        const url = path.replace(/\{(\w+)\}/g, (_, name: string) => idFor(path, name));
        const as = /\/api\/(users|admin|reminder-policies)|channels/.test(path) ? readers.admin : readers.inspector;
        for (const name of queries) {
          const values = [...sample(ODD_QUERY_VALUES, 6), `1&${name}=2`];
          for (const value of values) {
            const target = `${url}?${name}=${value}`;
            const answer = await fetch(`${app.http.baseUrl}${target}`, { headers: { authorization: `Bearer ${as}` } });
            requests++;
            const type = answer.headers.get('content-type') ?? '';
            const body: any = type.includes('json') ? await answer.json() : await answer.arrayBuffer();
            if (answer.status >= 500)
              failures.push(`GET ${target.slice(0, 120)}: ${answer.status} ${JSON.stringify(body).slice(0, 200)}`);
            else if (
              answer.status >= 400 &&
              (!type.startsWith('application/problem+json') || typeof body?.code !== 'string')
            ) {
              const shown = JSON.stringify(body).slice(0, 200);
              failures.push(`GET ${target.slice(0, 120)}: ${answer.status} without a problem code: ${shown}`);
            }
          }
        }
      }
      process.stdout.write(`fuzz seed ${SEED}: ${requests} GET requests with odd query parameters\n`);
      expect(requests).toBeGreaterThan(100);
      expect(failures).toEqual([]);
    },
    300_000,
  );

  describe('the defects it found, one by one', () => {
    let inspector: HttpClient;
    let unit: HttpClient;
    let unitId: string;
    const eventCount = async () => (await storedEvents(app)).length;
    const inDays = (n: number) => new Date(Date.now() + 8 * 3600_000 + n * 86_400_000).toISOString().slice(0, 10);

    async function newTask(): Promise<string> {
      const filed = await inspector.post('/api/findings', {
        title: '道路破损',
        regionId: ids.region,
        category: 'roads',
        severity: 'low',
      });
      const assigned = await inspector.post(`/api/findings/${filed.body.id}/tasks`, {
        unitId,
        deadline: inDays(7),
        measures: '修补',
        target: { quantity: 10, unit: '处' },
      });
      expect(assigned.status).toBe(201);
      return assigned.body.id;
    }

    /** The answer is a 400 problem naming `field`, and nothing was stored. */
    async function refused(request: () => Promise<HttpAnswer>, field: string): Promise<HttpAnswer> {
      const before = await eventCount();
      const answer = await request();
      expect([answer.status, answer.headers.get('content-type'), answer.body.field]).toEqual([
        400,
        expect.stringMatching(/^application\/problem\+json/),
        field,
      ]);
      expect(answer.body).toMatchObject({ type: expect.any(String), title: expect.any(String), status: 400 });
      expect(await eventCount()).toBe(before);
      return answer;
    }

    beforeAll(async () => {
      inspector = await login(app.http, 'inspector');
      unit = await login(app.http, 'unit');
      unitId = (await unit.get('/api/auth/me')).body.unitId;
    });

    it('refuses NUL and unpaired surrogates naming the field, where PostgreSQL failed with a 500', async () => {
      const finding = { title: '问题', regionId: ids.region, category: 'roads', severity: 'low' };
      await refused(() => inspector.post('/api/findings', { ...finding, title: 'a\u0000b' }), 'title');
      await refused(
        () => inspector.post('/api/findings', { ...finding, evidence: [{ ref: 'photo\ud800.jpg' }] }),
        'evidence.0.ref',
      );
      const taskId = await newTask();
      await refused(() => unit.post(`/api/inbox/${taskId}/a%00b/read`, {}), 'reminderId');
    });

    it(
      'refuses JSON nested 10,000 levels deep naming the field, where the ' +
        'validation pipe overflowed the stack (500)',
      async () => {
        const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
        const body = `{"title":${deep},"regionId":"${ids.region}","category":"roads","severity":"low"}`;
        await refused(() => inspector.postRaw('/api/findings', body), 'title');
        // With an Idempotency-Key the body was fingerprinted first, by a JSON.stringify that overflowed too.
        await refused(() => inspector.postRaw('/api/findings', body, { 'Idempotency-Key': 'deep-body' }), 'title');
      },
    );

    it(
      'refuses a body that is not a JSON object, where `null`, `[]` or text ' +
        'ran the command as if it had no fields',
      async () => {
        const taskId = await newTask();
        for (const raw of ['null', '[]', '"x"', '1'])
          await refused(() => unit.postRaw(`/api/tasks/${taskId}/accept`, raw), 'body');
        await refused(
          () => unit.postRaw(`/api/tasks/${taskId}/accept`, '{}', { 'content-type': 'text/plain' }),
          'body',
        );
        expect((await unit.get(`/api/tasks/${taskId}`)).body.status).toBe('assigned');
        // No body at all is still a command without fields.
        expect((await unit.request('POST', `/api/tasks/${taskId}/accept`, undefined, {})).status).toBe(200);
      },
    );

    it('refuses `constructor` and `prototype` keys, which the validation pipe dropped without a word', async () => {
      const taskId = await newTask();
      await unit.post(`/api/tasks/${taskId}/accept`);
      await refused(
        () => unit.postRaw(`/api/tasks/${taskId}/plan`, '{"plan":"分段修补","constructor":"x"}'),
        'constructor',
      );
      await refused(
        () =>
          unit.postRaw(`/api/tasks/${taskId}/progress`, '{"evidence":[{"ref":"a.jpg","prototype":{"polluted":1}}]}'),
        'evidence.0.prototype',
      );
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });

    it('refuses a quantity written with an exponent (1e-7), where class-validator threw (500)', async () => {
      const taskId = await newTask();
      await unit.post(`/api/tasks/${taskId}/accept`);
      await refused(() => unit.postRaw(`/api/tasks/${taskId}/progress`, '{"quantityDone":1e-7}'), 'quantityDone');
      expect((await unit.post(`/api/tasks/${taskId}/progress`, { quantityDone: 0.0001 })).status).toBe(200);
    });

    it("names an impossible date by the request's field, not the domain's (requestedDeadline)", async () => {
      const taskId = await newTask();
      await unit.post(`/api/tasks/${taskId}/accept`);
      for (const deadline of ['2099-02-30', '2100-02-29', '0000-00-00']) {
        await refused(
          () => unit.post(`/api/tasks/${taskId}/extension-requests`, { deadline, reason: '延期' }),
          'deadline',
        );
      }
    });

    it('refuses the same bad input in a query, where PostgreSQL failed with a 500', async () => {
      await refused(() => inspector.get('/api/tasks?dueBefore=2018-02-30'), 'dueBefore');
      await refused(() => inspector.get('/api/tasks?q=a%00b'), 'q');
    });

    it('names the path parameter that is not a UUID', async () => {
      await refused(() => unit.post('/api/tasks/not-a-uuid/accept'), 'id');
      await refused(
        () =>
          inspector.post(
            `/api/tasks/${ids.inProgress}/extension-requests/${encodeURIComponent("'; DROP TABLE events; --")}/approve`,
          ),
        'requestId',
      );
    });

    // Fastify refuses these before any route or filter runs, in its default JSON shape. create-api-app.ts has to
    // pass `frameworkErrors: sendFrameworkError` (apps/api/src/http/problem-details.filter.ts) to the adapter.
    it('answers a path Fastify cannot decode, or one over its parameter length, with a problem document', async () => {
      for (const path of [
        '/api/tasks/%ED%A0%80/accept',
        `/api/tasks/${'a'.repeat(5_000)}/accept`,
        '/api/tasks/%E0%A4%A/accept',
      ]) {
        const answer = await unit.post(path);
        expect(answer.status).toBeGreaterThanOrEqual(400);
        expect(answer.status).toBeLessThan(500);
        expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      }
    });
  });
});
