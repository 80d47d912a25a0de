import { closedLoop, timed } from './closed-loop';
import { commandMix } from './command-mix';
import { HttpConnection } from './http-connection';

/**
 * The HTTP side of `npm run bench`, in its own process: CONCURRENCY clients, each looping
 * assign (POST /api/findings/:id/tasks) + accept + progress and filing a new finding every few tasks
 * (`commandMix`); every command is timed and counted. Sends its sample to the parent.
 */
const [base, concurrency, durationMs, warmupMs] = [
  process.argv[2],
  Number(process.argv[3]),
  Number(process.argv[4]),
  Number(process.argv[5]),
];

async function main(): Promise<void> {
  // Each client has a keep-alive connection of its own; the setup requests use the first.
  const { hostname, port } = new URL(base);
  const connections = await Promise.all(
    Array.from({ length: concurrency }, () => HttpConnection.open(hostname, Number(port))),
  );
  const loop = await commandMix(connections);
  const sample = await closedLoop(concurrency, durationMs, warmupMs, (client, record) =>
    loop(client, (send) => timed(record, send)),
  );
  process.send!(sample, () => process.exit(0));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
