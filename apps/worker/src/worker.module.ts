import { DynamicModule, Inject, Logger, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Infrastructure } from '@zhenggai/platform';
import { PostgresCheckpointStore, ProjectionRunner } from '@zhenggai/postgres';
import { allProjections } from '@zhenggai/read-models';
import { FindingResolutionReactor } from './finding-resolution/finding-resolution.reactor';

const REACTORS = Symbol('Reactors');
const logger = new Logger('Worker');

interface Startable {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Durable reactions to the event store and the read models' projections: each runs from a stored checkpoint
 * (projections commit their checkpoint with their changes, under a lease held by one process at a time).
 */
@Module({})
export class WorkerModule implements OnApplicationBootstrap, OnApplicationShutdown {
  constructor(@Inject(REACTORS) private readonly reactors: Startable[]) {}

  static register(infra: Infrastructure): DynamicModule {
    const checkpoints = new PostgresCheckpointStore(infra.pool);
    return {
      module: WorkerModule,
      providers: [
        {
          provide: REACTORS,
          useFactory: (): Startable[] => [
            new FindingResolutionReactor(infra.eventStore, checkpoints, infra.clock),
            ...allProjections.map(
              (projection) =>
                new ProjectionRunner({
                  pool: infra.pool,
                  projection,
                  onError: (error) => logger.error(`projection ${projection.name}: ${error instanceof Error ? error.stack : String(error)}`),
                }),
            ),
          ],
        },
      ],
    };
  }

  async onApplicationBootstrap(): Promise<void> {
    for (const reactor of this.reactors) await reactor.start();
  }

  async onApplicationShutdown(): Promise<void> {
    for (const reactor of this.reactors) await reactor.stop();
  }
}
