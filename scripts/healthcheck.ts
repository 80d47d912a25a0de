/**
 * The containers' health checks (docker-compose.yml):
 * - `api`: this process's `GET /health` answers 200 (the database and the event store answer).
 * - `worker`: the API's `/health` (`API_HEALTH_URL`) shows a runner holding every projection, so some worker
 *   keeps the read models up to date (with several workers, one holds each projection and the others stand by).
 * Exits 0 when healthy, 1 otherwise, saying why.
 */
async function main(kind: string | undefined): Promise<string> {
  const url = kind === 'worker' ? process.env.API_HEALTH_URL : `http://127.0.0.1:${process.env.PORT ?? 3000}/health`;
  if (!url || (kind !== 'api' && kind !== 'worker'))
    throw new Error('usage: healthcheck api|worker (worker needs API_HEALTH_URL)');
  const answer = await fetch(url, { signal: AbortSignal.timeout(4000) });
  if (!answer.ok) throw new Error(`${url} answered ${answer.status}`);
  if (kind === 'api') return 'ok';
  const health = (await answer.json()) as { projections: Array<{ name: string; running: boolean }> };
  const idle = health.projections.filter((projection) => !projection.running).map((projection) => projection.name);
  if (idle.length > 0) throw new Error(`no worker holds ${idle.join(', ')}`);
  return `ok: ${health.projections.length} projections held`;
}

main(process.argv[2]).then(
  (message) => {
    console.log(message);
    process.exit(0);
  },
  (error: unknown) => {
    console.error(`unhealthy: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
