import { HttpClient, login } from '../support/http-client';
import { reactionsSettled, readModelsCaughtUp, startTestApp, TestApp } from '../support/test-app';

interface Entry {
  position: string;
  streamName: string;
  type: string;
  actor: { username: string | null };
  occurredAt: string;
}

/**
 * Issue 22: the audit pages by cursor (`after`, the `next` of the page before), read by index however deep, and
 * counts its entries only up to a cap unless asked (`count=true`); `page` keeps working for the clients that use it.
 */
describe('the audit, page after page', () => {
  let app: TestApp;
  let leader: HttpClient;
  let funanLeader: HttpClient;

  beforeAll(async () => {
    app = await startTestApp({ seed: true });
    [leader, funanLeader] = await Promise.all(['leader', 'funan-leader'].map((u) => login(app.http, u)));
    // The walks below are compared with the audit's count: the reactions to the seed (its findings resolving, the
    // reminder levels its overdue tasks owe) are appended first, so that none lands between a walk and a count.
    await reactionsSettled(app);
    await readModelsCaughtUp(app);
  });
  afterAll(() => app?.close());

  /** Every page from `start` on, following `next`: the entries, and how many pages it took. */
  const walk = async (client: HttpClient, query: string, start?: string) => {
    const entries: Entry[] = [];
    let pages = 0;
    for (let after = start; ; pages++) {
      const answer = await client.get(`/api/audit?${query}${after === undefined ? '' : `&after=${after}`}`);
      expect(answer.status).toBe(200);
      entries.push(...answer.body.items);
      if (answer.body.next === null) return { entries, pages: pages + 1 };
      expect(answer.body.next).toBe(answer.body.items.at(-1).position);
      after = answer.body.next;
    }
  };

  /** Every page by number, as clients did before the cursor. */
  const byPageNumber = async (client: HttpClient, query: string, pageSize: number) => {
    const { total, totalExact } = (await client.get(`/api/audit?${query}&pageSize=1`)).body;
    expect(totalExact).toBe(true);
    const entries: Entry[] = [];
    for (let page = 1; page <= Math.ceil(total / pageSize); page++)
      entries.push(...(await client.get(`/api/audit?${query}&pageSize=${pageSize}&page=${page}`)).body.items);
    return entries;
  };

  const positions = (entries: Entry[]) => entries.map((e) => e.position);

  it('walks the whole audit by cursor: every entry once, in store order, as the numbered pages list it', async () => {
    const { entries, pages } = await walk(leader, 'pageSize=7');
    expect(pages).toBeGreaterThan(3);
    const numbers = positions(entries).map(BigInt);
    expect(numbers.every((p, i) => i === 0 || p > numbers[i - 1])).toBe(true);
    expect(positions(entries)).toEqual(positions(await byPageNumber(leader, '', 7)));
    const counted = (await leader.get('/api/audit?pageSize=1&count=true')).body;
    expect(counted).toMatchObject({ total: entries.length, totalExact: true });
    // The first page by number gives the cursor of the second, and the last answers no next.
    const first = (await leader.get('/api/audit?pageSize=7&page=1')).body;
    expect(first).toMatchObject({ page: 1, pageSize: 7, next: entries[6].position });
    const last = (await leader.get(`/api/audit?pageSize=7&after=${entries.at(-2)!.position}`)).body;
    expect(last).toMatchObject({ after: entries.at(-2)!.position, items: [entries.at(-1)], next: null });
    // A cursor past the end is an empty last page.
    expect((await leader.get(`/api/audit?after=${entries.at(-1)!.position}`)).body).toMatchObject({
      items: [],
      next: null,
    });
  });

  it('combines the filters with the cursor', async () => {
    const [from, to] = ['2018-07-01T00:00:00+08:00', '2018-10-31T00:00:00+08:00'].map(encodeURIComponent);
    for (const [query, holds] of [
      ['type=RectificationTaskAssigned', (e: Entry) => e.type === 'RectificationTaskAssigned'],
      ['actor=wangjiaba', (e: Entry) => e.actor.username === 'wangjiaba'],
      [
        `from=${from}&to=${to}`,
        (e: Entry) => e.occurredAt >= '2018-06-30T16:00:00.000Z' && e.occurredAt < '2018-10-30T16:00:00.000Z',
      ],
      [`actor=wangjiaba&from=${from}&to=${to}`, (e: Entry) => e.actor.username === 'wangjiaba'],
    ] as const) {
      const whole = (await leader.get(`/api/audit?${query}&pageSize=200`)).body;
      expect(whole.next).toBeNull();
      expect(whole.items.length).toBeGreaterThan(2);
      expect(whole.items.every(holds)).toBe(true);
      const { entries, pages } = await walk(leader, `${query}&pageSize=2`);
      expect(pages).toBeGreaterThan(1);
      expect(positions(entries)).toEqual(positions(whole.items));
    }
  });

  it('keeps a scoped leader’s pages within its reach, whatever cursor it is given', async () => {
    const everything = (await walk(leader, 'pageSize=50')).entries;
    const { entries } = await walk(funanLeader, 'pageSize=5');
    expect(positions(entries)).toEqual(positions(await byPageNumber(funanLeader, '', 50)));
    const reach = new Set(positions(entries));
    const outside = everything.filter((e) => !reach.has(e.position));
    expect(outside.length).toBeGreaterThan(0);
    expect(entries.length).toBeGreaterThan(0);
    // From just before an entry out of its reach, it reads on from the next one within it.
    const before = everything[everything.indexOf(outside[0]) - 1]?.position ?? '0';
    const after = await walk(funanLeader, 'pageSize=5', before);
    expect(positions(after.entries)).toEqual(positions(entries).filter((p) => BigInt(p) > BigInt(before)));
  });

  it('tells in its OpenAPI document how to page and what the total means', async () => {
    const audit = (await app.http.get('/api/docs-json')).body.paths['/api/audit'].get;
    expect(audit.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(['page', 'pageSize', 'after', 'count']),
    );
    expect(audit.description).toMatch(/`next` is the `after` of the next page/);
    expect(audit.description).toMatch(/`totalExact` is false when there are more/);
  });

  it('answers 400 naming the field for a cursor that is not a position, or one given with a page number', async () => {
    const refusals = [
      ...['abc', '-1', '1.5', '01', '', '99999999999999999999'].map((a) => [`after=${a}`, 'after']),
      ['after=5&page=2', 'after'],
      ['count=yes', 'count'],
    ];
    for (const [query, field] of refusals) {
      const refused = await leader.get(`/api/audit?${query}`);
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({ status: 400, field });
    }
  });
});
