// A process that runs the counting projection, for tests that must kill a runner in the middle of a batch.
// Started as `node -r test/support/register-ts.js projection-runner.child.ts <databaseUrl> <name> <batchSize>
// <hangAtBatch>`, it prints one JSON line per batch it writes ({ batch, first, last }) and, at batch
// `hangAtBatch`, prints { hanging: true } after writing the batch's rows and waits, inside the transaction,
// to be killed.
import { createPool } from '../../pool/create-pool';
import { ProjectionRunner } from '../projection-runner';
import { countingProjection } from './counting.projection';

async function main(): Promise<void> {
  const [url, name, batchSize, hangAtBatch] = process.argv.slice(2);
  if (!url || !name || !batchSize || !hangAtBatch) {
    throw new Error('usage: projection-runner.child.ts <databaseUrl> <name> <batchSize> <hangAtBatch>');
  }
  let batches = 0;
  const runner = new ProjectionRunner({
    pool: createPool(url, { max: 2 }),
    batchSize: Number(batchSize),
    projection: countingProjection({
      name,
      afterWrite: async (events) => {
        batches += 1;
        const first = events[0]!.position.toString();
        const last = events[events.length - 1]!.position.toString();
        console.log(JSON.stringify({ batch: batches, first, last }));
        if (batches === Number(hangAtBatch)) {
          console.log(JSON.stringify({ hanging: true }));
          await new Promise(() => undefined);
        }
      },
    }),
  });
  await runner.start();
  console.log(JSON.stringify({ started: true }));
}

main().catch((error: Error) => {
  console.log(JSON.stringify({ error: error.name, message: error.message }));
  process.exit(1);
});
