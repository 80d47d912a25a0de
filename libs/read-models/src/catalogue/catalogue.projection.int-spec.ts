import { randomUUID } from 'node:crypto';
import { StoredEvent } from '@zhenggai/application';
import { SYSTEM_ACTOR } from '@zhenggai/domain';
import { Infrastructure, loadConfig, seedDemo, startInfrastructure } from '@zhenggai/platform';
import { projectionWriteSql } from '@zhenggai/postgres';
import { createTestDatabase } from '../../../../test/support/test-database';
import { CatalogueQueries } from '../queries/catalogue.query';
import { catalogueProjection } from './catalogue.projection';
import { closedAfterThisFile } from '../../../../test/support/opened-for-this-file';
import { everyEventReadable } from '../../../../test/support/every-event-readable';

describe('the catalogue of findings and campaigns', () => {
  let drop: () => Promise<void>;
  let infra: Infrastructure;
  let catalogue: CatalogueQueries;
  const anywhere = async (_regionId: string) => true;
  const schema = 'proj_catalogue_g1';

  let someRegionId: string;
  /** Every finding of the category (anywhere, however far). */
  const all = (category: string, within: string | null = null, inReach = anywhere) =>
    catalogue.findingsNear({ category, nearRegionId: someRegionId, maxDistance: 99, limit: 100_000 }, within, inReach);
  const byId = <T extends { id: string }>(items: T[]) => [...items].sort((a, b) => a.id.localeCompare(b.id));
  const categoriesFiled = async () => [
    ...new Set(
      (await infra.eventStore.readAll({ eventTypePrefixes: ['FindingFiled'] })).map((e) => e.data.category as string),
    ),
  ];

  /**
   * Builds the catalogue one event per batch (every resolve then updates a row of an earlier batch) up to the head, as
   * the runner would.
   */
  async function buildCatalogue(): Promise<bigint> {
    await infra.pool.query(
      `CREATE SCHEMA IF NOT EXISTS read_models; DROP SCHEMA IF EXISTS "${schema}" CASCADE; CREATE SCHEMA "${schema}"`,
    );
    await catalogueProjection.setup(infra.pool, schema);
    const events = await infra.eventStore.readAll({ eventTypePrefixes: catalogueProjection.eventTypePrefixes });
    for (const event of events) await catalogueProjection.apply(projectionWriteSql(infra.pool), schema, [event]);
    for (const view of catalogueProjection.views(schema))
      await infra.pool.query(`CREATE OR REPLACE VIEW read_models.${view.name} AS ${view.select}`);
    const head = (await infra.pool.query<{ p: string }>('SELECT coalesce(max(global_position), 0) AS p FROM events'))
      .rows[0].p;
    await infra.pool.query(
      'INSERT INTO projection_state (name, active_generation, ' +
        `active_version) VALUES ('catalogue', 1, 1) ON CONFLICT (name) DO ` +
        'UPDATE SET active_generation = 1',
    );
    await infra.pool.query(
      'INSERT INTO projection_checkpoints (name, generation, position) ' +
        `VALUES ('catalogue', 1, $1) ON CONFLICT (name, generation) DO UPDATE ` +
        'SET position = $1',
      [head],
    );
    return BigInt(head);
  }

  /** Appends one event and returns it once the catalogue's reads of the store (`readAll`) can see it. */
  async function append(stream: string, type: string, data: object): Promise<StoredEvent> {
    const metadata = {
      actor: SYSTEM_ACTOR,
      occurredAt: new Date('2018-07-20T10:00:00+08:00').toISOString(),
      correlationId: 'catalogue',
      causationId: null,
    };
    await infra.eventStore.appendToStream(stream, [{ type, data, metadata }], { expectedRevision: 'any' });
    await everyEventReadable(infra.eventStore);
    const events = await infra.eventStore.readStream(stream);
    return events[events.length - 1];
  }

  beforeAll(async () => {
    const database = await createTestDatabase();
    drop = database.drop;
    infra = await closedAfterThisFile(
      startInfrastructure(loadConfig({ DATABASE_URL: database.url, JWT_SECRET: 'x'.repeat(40) })),
      (i) => i.close(),
    );
    await seedDemo(infra);
    await everyEventReadable(infra.eventStore);
    catalogue = new CatalogueQueries(infra.pool, infra.eventStore);
    someRegionId = (await infra.directory.listRegions())[0].id;
  });
  afterAll(async () => {
    await infra?.close();
    await drop?.();
  });

  it('answers from the event store alone before the catalogue is built, and the same once it is', async () => {
    const categories = await categoriesFiled();
    expect(categories.length).toBeGreaterThan(1);
    const fromStore = await Promise.all(categories.map((c) => all(c)));
    const campaignsFromStore = await catalogue.campaigns();
    expect(campaignsFromStore.map((c) => c.name)).toEqual(['危房改造清零', '“四个一”整治全覆盖']);

    await buildCatalogue();
    const { rows } = await infra.pool.query('SELECT count(*)::int AS n FROM read_models.findings');
    expect(rows[0].n).toBe(fromStore.flat().length);
    for (const [i, category] of categories.entries()) expect(byId(await all(category))).toEqual(byId(fromStore[i]));
    expect(await catalogue.campaigns()).toEqual(campaignsFromStore);
  });

  it(
    'adds what was stored after its checkpoint: a new finding, one ' + 'resolved, one reopened, a new campaign',
    async () => {
      const category = 'ditches';
      const [regionId] = (await infra.directory.listRegions()).map((r) => r.id);
      const first = { id: randomUUID() };
      const second = { id: randomUUID() };
      await append(`finding-${first.id}`, 'FindingFiled', {
        findingId: first.id,
        title: '沟渠淤塞',
        regionId,
        category,
        severity: 'low',
      });
      await append(`finding-${second.id}`, 'FindingFiled', {
        findingId: second.id,
        title: '塘口未清',
        regionId,
        category,
        severity: 'low',
      });
      // In the catalogue's rows: the second finding resolved, the first not.
      await append(`finding-${second.id}`, 'FindingResolved', { findingId: second.id, taskIds: [] });
      await buildCatalogue();
      const before = await all(category);
      expect(before.map((f) => [f.id, f.resolved])).toEqual(
        expect.arrayContaining([
          [first.id, false],
          [second.id, true],
        ]),
      );

      const findingId = randomUUID();
      await append(`finding-${findingId}`, 'FindingFiled', {
        findingId,
        title: '回头看：又发现旱厕',
        regionId,
        category,
        severity: 'low',
      });
      await append(`finding-${first.id}`, 'FindingResolved', { findingId: first.id, taskIds: [] });
      await append(`finding-${second.id}`, 'FindingReopened', { findingId: second.id, reason: '回头看' });
      const campaignId = randomUUID();
      await append(`campaign-${campaignId}`, 'CampaignLaunched', {
        campaignId,
        name: '秋冬整治',
        deadline: '2018-11-30',
        scope: { regionId: null, category: null },
        targets: [],
      });

      const after = await all(category);
      expect(after).toHaveLength(before.length + 1);
      expect(after.find((f) => f.id === findingId)).toMatchObject({
        title: '回头看：又发现旱厕',
        resolved: false,
        filedAt: '2018-07-20T02:00:00.000Z',
      });
      expect(after.find((f) => f.id === first.id)!.resolved).toBe(true);
      expect(after.find((f) => f.id === second.id)!.resolved).toBe(false);
      expect((await catalogue.campaigns()).map((c) => c.name)).toEqual([
        '危房改造清零',
        '“四个一”整治全覆盖',
        '秋冬整治',
      ]);

      // Once the catalogue has applied them, it answers the same from its rows.
      await buildCatalogue();
      expect(byId(await all(category))).toEqual(byId(after));
    },
  );

  it('keeps to the region subtree asked for, in its rows and in the events after them', async () => {
    await buildCatalogue();
    const [category] = await categoriesFiled();
    const every = await all(category);
    const regions = await infra.directory.listRegions();
    const place = regions.find((r) => r.id === every[0].regionId)!;
    const inside = (regionId: string) => regions.find((r) => r.id === regionId)?.path.includes(place.id) ?? false;
    const findingId = randomUUID();
    const elsewhere = regions.find((r) => !r.path.includes(place.id))!;
    await append(`finding-${findingId}`, 'FindingFiled', {
      findingId,
      title: '别处的问题',
      regionId: elsewhere.id,
      category,
      severity: 'low',
    });

    const within = await all(category, place.id, async (regionId) => inside(regionId));
    expect(within.length).toBeGreaterThan(0);
    expect(within.every((f) => inside(f.regionId))).toBe(true);
    expect(byId(within)).toEqual(byId(every.filter((f) => inside(f.regionId))));
  });

  it('gives the nearest of a category first, and every finding the events after its checkpoint touch', async () => {
    const regions = await infra.directory.listRegions();
    const village = regions.find((r) => r.level === 'village')!;
    const town = regions.find((r) => r.id === village.parentId)!;
    const category = 'ponds';
    const file = async (regionId: string, title: string) => {
      const findingId = randomUUID();
      await append(`finding-${findingId}`, 'FindingFiled', { findingId, title, regionId, category, severity: 'low' });
      return findingId;
    };
    const here = await file(village.id, '本村');
    await file(town.id, '本镇');
    const farther = await file(town.parentId!, '本县');
    await append(`finding-${here}`, 'FindingResolved', { findingId: here, taskIds: [] });
    await buildCatalogue();

    const near = (limit: number) =>
      catalogue.findingsNear({ category, nearRegionId: village.id, maxDistance: 4, limit }, null, anywhere);
    expect((await near(2)).map((f) => f.title)).toEqual(['本村', '本镇']);
    expect((await near(1)).map((f) => f.title)).toEqual(['本村']);
    expect(
      (
        await catalogue.findingsNear({ category, nearRegionId: village.id, maxDistance: 1, limit: 10 }, null, anywhere)
      ).map((f) => f.title),
    ).toEqual(['本村', '本镇']);

    // Reopened after the checkpoint, the county's finding comes with the nearest for the caller to rank.
    await append(`finding-${farther}`, 'FindingReopened', { findingId: farther, reason: '回头看' });
    expect((await near(1)).map((f) => [f.title, f.resolved])).toEqual([
      ['本村', true],
      ['本县', false],
    ]);
  });
});
