import type { ChildProcess } from 'node:child_process';
import { Server, Socket } from 'node:net';

/**
 * How long jest may take to exit after the global teardown before the run is ended as a failure
 * (`ZHENGGAI_TEST_EXIT_GRACE_MS`, for the test of this guard).
 */
export const EXIT_GRACE_MS = Number(process.env.ZHENGGAI_TEST_EXIT_GRACE_MS) || 60_000;

const GUARD = Symbol.for('zhenggai.hangGuard');

/**
 * Called from the global teardown, in jest's main process (where every test file runs on a 2-core machine):
 * if the process is still alive `graceMs` later, something a test left open keeps it alive. Rather than let the
 * run hang until CI's limit, this names what is open on stderr and ends the process with exit code 1. The timer
 * does not itself keep the process alive, so a clean run exits as soon as it is done. Not in watch mode.
 */
export function endRunIfItHangs(graceMs = EXIT_GRACE_MS): void {
  const globals = globalThis as Record<symbol, unknown>;
  if (globals[GUARD]) return;
  globals[GUARD] = setTimeout(() => {
    process.stderr.write(
      `\nthe test run did not end ${graceMs / 1000} s after its last test; still open:\n` +
        openResources()
          .map((line) => `  ${line}\n`)
          .join('') +
        'ending the run as failed (jest --detectOpenHandles shows where they were opened)\n',
    );
    process.exit(1);
  }, graceMs).unref();
}

/** What keeps the process alive: sockets, servers and child processes by name, other resources by kind. */
export function openResources(): string[] {
  const handles = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles();
  const named = handles
    .filter((handle) => handle !== process.stdin && handle !== process.stdout && handle !== process.stderr)
    .map(describeHandle);
  const described = new Set(['TCPWRAP', 'TCPSERVERWRAP', 'PIPEWRAP', 'PIPESERVERWRAP', 'PROCESSWRAP', 'TTYWRAP']);
  const counts = new Map<string, number>();
  for (const kind of process.getActiveResourcesInfo()) {
    if (!described.has(kind.toUpperCase())) counts.set(kind, (counts.get(kind) ?? 0) + 1);
  }
  return [
    ...named,
    ...[...counts].map(
      ([kind, count]) => `${count} × ${kind}${kind === 'Timeout' ? ' (a timer or interval not cleared)' : ''}`,
    ),
  ];
}

function describeHandle(handle: unknown): string {
  if (handle instanceof Socket) {
    if (handle.remoteAddress)
      return `socket ${handle.localAddress}:${handle.localPort} → ${handle.remoteAddress}:${handle.remotePort}`;
    const pipe = (handle as unknown as { _pipeName?: string })._pipeName;
    return pipe ? `socket on ${pipe}` : 'socket (not connected)';
  }
  if (handle instanceof Server) {
    const address = handle.address();
    const where =
      typeof address === 'string' ? address : address ? `${address.address}:${address.port}` : '(not bound)';
    return `server listening on ${where}`;
  }
  const child = handle as Partial<ChildProcess>;
  if (typeof child.pid === 'number' && Array.isArray(child.spawnargs))
    return `child process ${child.pid}: ${child.spawnargs.join(' ')}`;
  return (handle as object)?.constructor?.name ?? typeof handle;
}
