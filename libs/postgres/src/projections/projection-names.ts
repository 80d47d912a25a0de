import type { Projection } from '@zhenggai/application';
import { InvalidProjectionError } from './projection.errors';

const PROJECTION_NAME = /^[a-z][a-z0-9_]{0,39}$/;
const VIEW_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** The schema that holds one generation of a projection's tables: `proj_<name>_g<generation>`. */
export function generationSchema(projectionName: string, generation: number): string {
  return `proj_${projectionName}_g${generation}`;
}

/**
 * SQL for the 64-bit advisory lock key of a projection's lease, given an SQL expression for the
 * projection's name (`$1`, a column).
 */
export function leaseKeySql(nameExpression: string): string {
  return `hashtextextended('zhenggai.projection.lease:' || ${nameExpression}, 0)`;
}

/** Same for the lock a rebuild holds: a namespace of its own, so a rebuild never waits for the runner's lease. */
export function rebuildLockKeySql(nameExpression: string): string {
  return `hashtextextended('zhenggai.projection.rebuild:' || ${nameExpression}, 0)`;
}

/**
 * Refuses names that could not be used unquoted in generated SQL: the projection's name (it names schemas,
 * at most 40 characters so that `proj_<name>_g<n>` fits PostgreSQL's 63) and its view names.
 */
export function assertValidProjection(projection: Projection): void {
  if (!PROJECTION_NAME.test(projection.name)) {
    throw new InvalidProjectionError(projection.name, 'the name must match /^[a-z][a-z0-9_]{0,39}$/');
  }
  const views = projection.views(generationSchema(projection.name, 1));
  const seen = new Set<string>();
  for (const { name } of views) {
    if (!VIEW_NAME.test(name)) {
      throw new InvalidProjectionError(projection.name, `view name ${JSON.stringify(name)} must match ${VIEW_NAME}`);
    }
    if (seen.has(name)) throw new InvalidProjectionError(projection.name, `view ${name} is defined twice`);
    seen.add(name);
  }
}
