import { closeInReverse } from '@zhenggai/platform';

/**
 * What a test file opened (apps, databases, servers, clients), closed after the file in reverse order of
 * opening, whatever happened to its hooks: a `beforeAll` that timed out or threw half-way has jest move on while
 * its openings are still under way, and what they open later would otherwise stay open, reconnect after the
 * file's modules are gone ("Cannot read properties of undefined (reading 'Socket')") and keep jest from exiting.
 * The closing waits for each opening to settle. `test/support/setup-with-servers.ts` runs it after the
 * file's own `afterAll` hooks; closing something twice must be harmless (the file may close it itself).
 */
const opened: Array<() => Promise<void>> = [];

export function closedAfterThisFile<T>(opening: Promise<T>, close: (resource: T) => unknown): Promise<T> {
  opened.push(async () => {
    const resource = await opening.then(
      (value) => ({ value }),
      () => undefined, // a failed opening closes what it opened itself
    );
    if (resource) await close(resource.value);
  });
  return opening;
}

/** Closes everything the file opened and has not been closed yet; every part is tried, failures thrown together. */
export async function closeWhatThisFileOpened(): Promise<void> {
  await closeInReverse(opened.splice(0), 'after the test file');
}
