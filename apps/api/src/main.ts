import 'reflect-metadata';
import { ensureInitialAdmin, loadConfig, runProcess, startInfrastructure } from '@zhenggai/platform';
import { createApiApp } from './create-api-app';

/** The HTTP API alone (production: several replicas behind a load balancer; the worker runs apart). */
runProcess('zhenggai-api', async () => {
  const config = loadConfig();
  const infra = await startInfrastructure(config);
  await ensureInitialAdmin(infra);
  const app = await createApiApp(infra);
  await app.listen(config.port, config.host);
  console.log(`zhenggai-api: listening on ${await app.getUrl()}`);
  return {
    closing: [
      ['the HTTP server', () => app.close()],
      ['the stores', () => infra.close()],
    ],
    graceMs: config.shutdownGraceSeconds * 1000,
  };
});
