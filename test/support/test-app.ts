import { INestApplication } from '@nestjs/common';
import { Clock } from '@zhenggai/application';
import { Infrastructure, loadConfig, seedDemo, startInfrastructure } from '@zhenggai/platform';
import { createApiApp } from '../../apps/api/src/create-api-app';
import { WorkerModule } from '../../apps/worker/src/worker.module';
import { HttpClient } from './http-client';
import { createTestDatabase } from './test-database';

export interface TestApp {
  readonly infra: Infrastructure;
  readonly app: INestApplication;
  readonly http: HttpClient;
  close(): Promise<void>;
}

/**
 * The real application (API and worker in one process, as the all-in-one runs it) on a fresh database of the
 * test PostgreSQL, listening on a free port. With `seed`, the demo story and accounts are loaded first.
 */
export async function startTestApp(options: { seed?: boolean; clock?: Clock; env?: Record<string, string> } = {}): Promise<TestApp> {
  const database = await createTestDatabase();
  // Reminders fire by the time of day: tests about something else run without them unless they ask.
  const config = loadConfig({ DATABASE_URL: database.url, JWT_SECRET: 'e2e-secret-that-is-long-enough-0123456789', PORT: '0', REMINDERS: 'off', ...options.env });
  const infra = await startInfrastructure(config, { clock: options.clock });
  if (options.seed) await seedDemo(infra);
  const app = await createApiApp(infra, { imports: [WorkerModule.register(infra)], logger: ['error'] });
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1');
  return {
    infra,
    app,
    http: new HttpClient(url),
    close: async () => {
      await app.close();
      await infra.close();
      await database.drop();
    },
  };
}
