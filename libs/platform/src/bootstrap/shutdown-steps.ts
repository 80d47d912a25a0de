import { AsyncLocalStorage } from 'node:async_hooks';

const enclosing = new AsyncLocalStorage<readonly string[]>();
/** The steps under way, each as its path from the outermost step (`the worker › the reminder ladder › …`). */
const underWay = new Map<symbol, readonly string[]>();

/**
 * Runs one named step of the process's shutdown (closing the HTTP server, a reaction, the job queues…) and keeps
 * its name, within the steps that enclose it, while it runs: a shutdown past its grace period says which steps it
 * abandoned.
 */
export async function shutdownStep<T>(name: string, close: () => Promise<T>): Promise<T> {
  const path = [...(enclosing.getStore() ?? []), name];
  const key = Symbol(name);
  underWay.set(key, path);
  try {
    return await enclosing.run(path, close);
  } finally {
    underWay.delete(key);
  }
}

/**
 * The innermost steps still under way (those no other step under way runs within), each named with its enclosing steps.
 */
export function shutdownStepsUnderWay(): string[] {
  const paths = [...underWay.values()];
  const encloses = (outer: readonly string[], inner: readonly string[]) =>
    inner.length > outer.length && outer.every((name, i) => inner[i] === name);
  return paths.filter((path) => !paths.some((other) => encloses(path, other))).map((path) => path.join(' › '));
}
