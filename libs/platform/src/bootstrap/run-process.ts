import { DataFolderError } from '@zhenggai/postgres';
import { ConfigurationError } from '../config/app-config';

export interface Running {
  stop(): Promise<void>;
}

/**
 * Start a process and stop it cleanly on SIGINT / SIGTERM (the app first, then the stores).
 * A configuration problem, or a data folder that cannot be used, ends the process with a message that says what
 * to do, not a stack trace.
 */
export function runProcess(name: string, start: () => Promise<Running>): void {
  let running: Running | null = null;
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${name}: ${signal} received, stopping…`);
    try {
      await running?.stop();
      process.exit(0);
    } catch (error) {
      console.error(`${name}: error while stopping`, error);
      process.exit(1);
    }
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
  start()
    .then((r) => {
      running = r;
      if (stopping) void r.stop();
    })
    .catch((error: unknown) => {
      if (error instanceof ConfigurationError || error instanceof DataFolderError) console.error(`${name}: ${error.message}`);
      else console.error(`${name}: failed to start`, error);
      process.exit(1);
    });
}
