import { DynamicModule, Inject, Module, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Infrastructure } from '@zhenggai/platform';
import { PostgresCheckpointStore } from '@zhenggai/postgres';
import { FindingResolutionReactor } from './finding-resolution/finding-resolution.reactor';

const REACTORS = Symbol('Reactors');

interface Startable {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Durable reactions to the event store: they run from subscriptions with stored checkpoints. */
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
          useFactory: (): Startable[] => [new FindingResolutionReactor(infra.eventStore, checkpoints, infra.clock)],
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
