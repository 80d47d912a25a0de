import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { CLOCK, Clock, IMPORT_STORE, ImportStore } from '@zhenggai/application';
import { ProblemListRowFiler } from './problem-list-row-filer';

/** How many rows of an import are filed at a time. */
export const IMPORT_COMMIT_CONCURRENCY = 4;

/** How often running commits that no runner holds (their process died) are looked for and taken over. */
export const IMPORT_COMMIT_SWEEP_MS = 15_000;

/**
 * Runs import commits in the background of the API process: one runner per import across processes (the store's
 * claim), each row's outcome recorded as it is filed. On start, and every `IMPORT_COMMIT_SWEEP_MS`, it takes up the
 * commits left running by a process that stopped or died, and goes on with the rows that have no outcome yet; a row
 * filed but not recorded before the crash is found as filed (its command ids come from its content).
 */
@Injectable()
export class ImportCommitRunner implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('ImportCommit');
  private readonly running = new Map<string, Promise<void>>();
  /** Commits asked for again while this process was running them: run once more when the run ends. */
  private readonly again = new Set<string>();
  private stopping = false;
  private sweep: NodeJS.Timeout | undefined;

  constructor(
    @Inject(IMPORT_STORE) private readonly imports: ImportStore,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly rows: ProblemListRowFiler,
  ) {}

  onApplicationBootstrap(): void {
    void this.resume();
    this.sweep = setInterval(() => void this.resume(), IMPORT_COMMIT_SWEEP_MS);
    this.sweep.unref();
  }

  /** Runs the import's commit here unless a runner (here or in another process) has it. */
  start(importId: string): void {
    if (this.stopping) return;
    if (this.running.has(importId)) {
      this.again.add(importId);
      return;
    }
    const run = this.run(importId)
      .catch((error: unknown) => {
        // Left running: the next sweep (here or in another process) takes it up again.
        this.logger.error(`import ${importId}: the commit stopped: ${error instanceof Error ? error.message : error}`);
      })
      .finally(() => {
        this.running.delete(importId);
        if (this.again.delete(importId)) this.start(importId);
      });
    this.running.set(importId, run);
  }

  /** Stops after the row being filed (the rest is resumed on the next start), before the app's connections close. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearInterval(this.sweep);
    await Promise.allSettled([...this.running.values()]);
  }

  private async resume(): Promise<void> {
    try {
      for (const importId of await this.imports.runningCommits()) this.start(importId);
    } catch (error) {
      this.logger.warn(`running commits not read: ${error instanceof Error ? error.message : error}`);
    }
  }

  private async run(importId: string): Promise<void> {
    const claim = await this.imports.claimCommit(importId);
    if (!claim) return;
    try {
      const pending = claim.stored.rows.filter((row) => !claim.recorded.has(row.rowNumber));
      let next = 0;
      let failed = false;
      // A few rows at a time (each its own finding and task, so they do not contend), each recorded once filed.
      const fileRows = async () => {
        while (!this.stopping && !failed && next < pending.length) {
          const row = pending[next++]!;
          try {
            await claim.recordRow(await this.rows.file(importId, row, claim.actor));
          } catch (error) {
            failed = true;
            throw error;
          }
        }
      };
      const settled = await Promise.allSettled(Array.from({ length: IMPORT_COMMIT_CONCURRENCY }, fileRows));
      const failure = settled.find((result) => result.status === 'rejected');
      if (failure) throw failure.reason;
      if (this.stopping) return;
      await claim.finish(this.clock.now().toISOString());
    } finally {
      await claim.release();
    }
  }
}
