// Rebuilds read models from the start of the event store, blue/green: the API keeps serving the current
// generation until the new one is complete (see rebuildProjection in @zhenggai/postgres).
//
//   npm run projections:rebuild -- --all
//   npm run projections:rebuild -- tasks audit
//
// Configuration as for the apps (DATABASE_URL, DATA_DIR...). In the embedded default, when another process
// (npm start) already runs the embedded PostgreSQL on DATA_DIR, the rebuild connects to that server.
import type { Projection } from '@zhenggai/application';
import {
  ConfigurationError,
  loadConfig,
  startInfrastructure,
  type AppConfig,
  type Infrastructure,
} from '@zhenggai/platform';
import { EmbeddedPostgresInUseError, rebuildProjection, runningEmbeddedPostgresUrl } from '@zhenggai/postgres';
import { allProjections } from '@zhenggai/read-models';
import { ProgressDisplay } from './progress-display';

const USAGE = `usage: npm run projections:rebuild -- <name ...> | --all
projections: ${allProjections.map((projection) => projection.name).join(', ')}`;

/** A problem the user can fix; the message says how. */
class CommandError extends Error {}

function chosenProjections(args: readonly string[]): Projection[] {
  if (args.length === 0 || args.includes('--help') || args.includes('-h')) throw new CommandError(USAGE);
  if (args.includes('--all')) {
    if (args.length > 1) throw new CommandError(`--all rebuilds every projection: name none besides it\n${USAGE}`);
    return [...allProjections];
  }
  const unknown = args.filter((name) => !allProjections.some((projection) => projection.name === name));
  if (unknown.length > 0) throw new CommandError(`unknown projection: ${unknown.join(', ')}\n${USAGE}`);
  return allProjections.filter((projection) => args.includes(projection.name));
}

/** The configured database; in the embedded default, the server another process runs on DATA_DIR if there is one. */
async function connect(config: AppConfig): Promise<Infrastructure> {
  try {
    return await startInfrastructure(config);
  } catch (error) {
    if (!(error instanceof EmbeddedPostgresInUseError)) throw error;
    const url = await runningEmbeddedPostgresUrl(error.dataDir);
    if (!url) {
      throw new CommandError(
        `the embedded PostgreSQL on ${error.dataDir} is run by process ${error.ownerPid}, and its socket cannot be ` +
          'reached from here (run this as the user that started it), or stop that process, or set DATABASE_URL',
      );
    }
    console.log(`using the embedded PostgreSQL that process ${error.ownerPid} runs on ${error.dataDir}`);
    return startInfrastructure({ ...config, databaseUrl: url });
  }
}

async function main(): Promise<void> {
  const projections = chosenProjections(process.argv.slice(2));
  const infra = await connect(loadConfig());
  // Interrupted, the rebuild's session ends with the process: the active generation is untouched and the
  // partial one is dropped by the next rebuild. Exiting runs the embedded server's shutdown.
  process.once('SIGINT', () => {
    console.error('\ninterrupted: the read models still serve the generation they served before');
    process.exit(130);
  });
  try {
    for (const projection of projections) {
      const display = new ProgressDisplay(projection.name);
      const result = await rebuildProjection({
        pool: infra.pool,
        projection,
        source: infra.projectionSource,
        onProgress: (done, total) => display.update(done, total),
      });
      const seconds = display.elapsedSeconds;
      display.finish(
        `generation ${result.generation} active (was ${result.previousGeneration}), ` +
          `${result.events.toLocaleString('en-US')} events in ${seconds.toFixed(1)} s ` +
          `(${Math.round(result.events / Math.max(seconds, 0.001)).toLocaleString('en-US')}/s)`,
      );
    }
  } finally {
    await infra.close();
  }
}

main().catch((error: unknown) => {
  if (error instanceof CommandError || error instanceof ConfigurationError) console.error(error.message);
  else console.error('rebuild failed; the read models still serve the generation they served before:', error);
  process.exit(1);
});
