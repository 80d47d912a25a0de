import 'reflect-metadata';
import {
  DEMO_PASSWORD,
  DEMO_USERS,
  ensureInitialAdmin,
  loadConfig,
  runProcess,
  seedDemoIfEmpty,
  startInfrastructure,
} from '@zhenggai/platform';
import { createApiApp } from '../../api/src/create-api-app';
import { WorkerModule } from '../../worker/src/worker.module';

/**
 * The embedded default: API, reactors and jobs in one process. With no DATABASE_URL it runs on an embedded
 * PostgreSQL under DATA_DIR (./.data) and, on an empty store, seeds the demo story and accounts.
 */
runProcess('zhenggai', async () => {
  const config = loadConfig();
  console.log(
    config.databaseUrl ? 'zhenggai: using DATABASE_URL' : `zhenggai: starting embedded PostgreSQL in ${config.dataDir}`,
  );
  const infra = await startInfrastructure(config);
  await ensureInitialAdmin(infra);
  const seeded = config.seedDemo ? await seedDemoIfEmpty(infra) : false;
  const app = await createApiApp(infra, { imports: [WorkerModule.register(infra)] });
  await app.listen(config.port, config.host);
  const url = (await app.getUrl()).replace('[::1]', 'localhost').replace('127.0.0.1', 'localhost');
  console.log(`
整改 zhenggai is running at ${url}
  API docs:  ${url}/api/docs
  health:    ${url}/health
${seeded ? '  demo data: seeded (the Fuyang 2018 story)\n' : ''}${
    config.seedDemo
      ? `  demo accounts (password "${DEMO_PASSWORD}"): ${DEMO_USERS.slice(0, 4)
          .map((u) => u.username)
          .join(', ')}\n`
      : ''
  }`);
  return {
    closing: [
      ['the HTTP server and the worker', () => app.close()],
      ['the stores', () => infra.close()],
    ],
    graceMs: config.shutdownGraceSeconds * 1000,
  };
});
