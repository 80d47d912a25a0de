// A process that runs the launcher, for tests that must kill it or run two of them. Started as
// `node -r test/support/register-ts.js embedded-postgres.child.ts <dataDir>`, it prints one JSON line
// ({ url } or { error, message }) and then obeys lines on stdin: `stop` (stop, then exit) or `exit`
// (process.exit without stopping).
import { createInterface } from 'node:readline';
import { startEmbeddedPostgres } from '../embedded-postgres.launcher';

async function main(): Promise<void> {
  const dataDir = process.argv[2];
  if (!dataDir) throw new Error('usage: embedded-postgres.child.ts <dataDir>');
  const server = await startEmbeddedPostgres({ dataDir });
  console.log(JSON.stringify({ url: server.url }));
  for await (const line of createInterface({ input: process.stdin })) {
    if (line === 'exit') process.exit(0);
    if (line === 'stop') {
      await server.stop();
      console.log(JSON.stringify({ stopped: true }));
      process.exit(0);
    }
  }
}

main().catch((error: Error) => {
  console.log(JSON.stringify({ error: error.name, message: error.message }));
  process.exit(1);
});
