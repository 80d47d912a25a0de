import type { Migration } from '../migrations/migration';

/**
 * The projection runner's bookkeeping (see `ProjectionRunner`, `rebuildProjection`).
 *
 * - `read_models`: the stable views readers use; each points at the active generation's schema
 *   (`proj_<name>_g<generation>`), and is re-pointed in the transaction that activates a new generation.
 * - `projection_state`: one row per projection, naming its active generation. Every batch reads it
 *   `FOR SHARE` and the swap of a rebuild updates it `FOR UPDATE`, so batches and swaps serialise, and the
 *   projection version that built the active generation, so that a newer one knows to rebuild.
 * - `projection_checkpoints`: per projection and generation, the position up to which that generation has
 *   applied the store (a generation being rebuilt has its own row beside the active one's). Each batch
 *   updates it in the transaction that writes the read model.
 */
export const projectionMigrations: readonly Migration[] = [
  {
    id: 'projections-001-bookkeeping',
    sql: `
      CREATE SCHEMA IF NOT EXISTS read_models;
      CREATE TABLE projection_state (
        name text PRIMARY KEY,
        active_generation integer NOT NULL CHECK (active_generation >= 1),
        active_version integer NOT NULL DEFAULT 1,
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE projection_checkpoints (
        name text NOT NULL,
        generation integer NOT NULL CHECK (generation >= 1),
        position bigint NOT NULL CHECK (position >= 0),
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (name, generation)
      );`,
  },
];
