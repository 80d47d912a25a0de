import { Inject, Injectable } from '@nestjs/common';
import { coversRegion, DIRECTORY, Directory, EVENT_STORE, EventStore } from '@zhenggai/application';
import { Actor } from '@zhenggai/domain';
import { CatalogueQueries } from '@zhenggai/read-models';
import { Pool } from 'pg';
import { DATABASE_POOL } from '../infrastructure/tokens';
import { SimilarFinding, similarFindings } from './similar-findings';

/**
 * How far through the region tree 举一反三 looks (a sibling village's neighbour in the next town is 4), and how many it
 * lists.
 */
const MAX_DISTANCE = 4;
const LIMIT = 20;

/** 举一反三 from the catalogue of findings (a finding is filed once; resolved and reopened as its tasks go). */
@Injectable()
export class SimilarFindingsService {
  private readonly catalogue: CatalogueQueries;

  constructor(
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(DATABASE_POOL) pool: Pool,
    @Inject(DIRECTORY) private readonly directory: Directory,
  ) {
    this.catalogue = new CatalogueQueries(pool, store);
  }

  /** Only findings within the actor's region: a scoped inspector looks for the same problem in its own subtree. */
  async similar(
    query: { category: string; regionId: string; excludeId?: string },
    actor: Actor,
  ): Promise<SimilarFinding[]> {
    // As coversRegion decides, in SQL for the findings already in the catalogue.
    const scope = actor.role === 'admin' || actor.role === 'system' ? null : (actor.regionScopeId ?? null);
    const near = {
      category: query.category,
      nearRegionId: query.regionId,
      maxDistance: MAX_DISTANCE,
      limit: LIMIT,
      excludeId: query.excludeId,
    };
    const candidates = await this.catalogue.findingsNear(near, scope, (regionId) =>
      coversRegion(this.directory, actor, regionId),
    );
    return similarFindings(candidates, await this.directory.listRegions(), {
      ...query,
      maxDistance: MAX_DISTANCE,
      limit: LIMIT,
    });
  }
}
