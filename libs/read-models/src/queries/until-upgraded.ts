/**
 * A query of a table a projection's newer version added, with the answer of the version before as the fallback:
 * after an upgrade, the old generation of the read model serves (its views in `read_models`) until the new one is
 * built and activated (blue/green), and it has no such table (42P01, undefined table) until then. The fallback must
 * give the same answer, only more slowly.
 */
export async function untilUpgraded<T>(query: () => Promise<T>, fallback: () => Promise<T>): Promise<T> {
  try {
    return await query();
  } catch (error) {
    if ((error as { code?: string }).code === '42P01') return fallback();
    throw error;
  }
}
