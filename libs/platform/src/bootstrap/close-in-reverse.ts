/**
 * Closes what was opened, in reverse order of opening. Every closer runs even when one before it failed (a
 * database that went away must not leave the HTTP server or the queues open); the failures are thrown together
 * at the end, none thrown away.
 */
export async function closeInReverse(closers: ReadonlyArray<() => unknown>, what = 'closing'): Promise<void> {
  const failures: unknown[] = [];
  for (const close of [...closers].reverse()) {
    try {
      await close();
    } catch (error) {
      failures.push(error);
    }
  }
  if (failures.length === 1) throw failures[0];
  if (failures.length > 1) throw new AggregateError(failures, `${what}: ${failures.length} parts failed to close`);
}
