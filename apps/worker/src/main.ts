import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { loadConfig, runProcess, startInfrastructure } from '@zhenggai/platform';
import { WorkerModule } from './worker.module';

/** Projections, reactors and jobs, without HTTP. Scale out by running more of them. */
runProcess('zhenggai-worker', async () => {
  const config = loadConfig();
  const infra = await startInfrastructure(config);
  const app = await NestFactory.createApplicationContext(WorkerModule.register(infra), {
    logger: ['error', 'warn', 'log'],
  });
  await app.init();
  console.log('zhenggai-worker: running');
  return {
    closing: [
      ['the worker', () => app.close()],
      ['the stores', () => infra.close()],
    ],
    graceMs: config.shutdownGraceSeconds * 1000,
  };
});
