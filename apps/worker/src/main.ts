import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { loadConfig, runProcess, startInfrastructure } from '@zhenggai/platform';
import { WorkerModule } from './worker.module';

/** Projections, reactors and jobs, without HTTP. Scale out by running more of them. */
runProcess('zhenggai-worker', async () => {
  const infra = await startInfrastructure(loadConfig());
  const app = await NestFactory.createApplicationContext(WorkerModule.register(infra), { logger: ['error', 'warn', 'log'] });
  await app.init();
  console.log('zhenggai-worker: running');
  return { stop: async () => { await app.close(); await infra.close(); } };
});
