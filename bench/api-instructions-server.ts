import 'reflect-metadata';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, startInfrastructure } from '@zhenggai/platform';
import { createApiApp } from '../apps/api/src/create-api-app';

/**
 * The API process alone, as `npm run bench` runs it for the write path, on a store the benchmark has seeded
 * (BENCH_SERVER_DATABASE_URL): started by bench/api-instructions.ts under callgrind, which counts what it executes.
 * Prints `READY <port>` once it listens; stops on SIGTERM.
 */
async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'zhenggai-instructions-'));
  const infra = await startInfrastructure(
    loadConfig({
      PORT: '0',
      DATA_DIR: dataDir,
      DATABASE_URL: process.env.BENCH_SERVER_DATABASE_URL!,
      JWT_SECRET: process.env.BENCH_SERVER_JWT_SECRET!,
    }),
  );
  const app = await createApiApp(infra, { logger: ['error'] });
  await app.listen(0, '127.0.0.1');
  process.once('SIGTERM', () => {
    void app
      .close()
      .then(() => infra.close())
      .finally(() => {
        rmSync(dataDir, { recursive: true, force: true });
        process.exit(0);
      });
  });
  process.stdout.write(`READY ${(app.getHttpServer().address() as AddressInfo).port}\n`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
