import { DynamicModule, Global, Module, Provider } from '@nestjs/common';
import {
  CLOCK,
  DIRECTORY,
  DIRECTORY_DEPS,
  EVENT_STORE,
  EVIDENCE_STORE,
  ID_GENERATOR,
  IMPORT_STORE,
  IDEMPOTENCY_STORE,
  LOGIN_THROTTLE,
  PASSWORD_HASHER,
  REMINDER_POLICIES,
  SESSIONS,
  USE_CASE_DEPS,
  USER_REPOSITORY,
} from '@zhenggai/application';
import { bulletinDeps, directoryDeps, Infrastructure, useCaseDeps } from '@zhenggai/platform';
import { counterOf, RATE_LIMIT_COUNTER } from './rate-limit-counters';
import {
  AUTH_POLICY,
  BULLETIN_DEPS,
  AuthPolicy,
  DATABASE_POOL,
  DEADLINE_WARNING_DAYS,
  LEDGER_MAX_ROWS,
  CONFIGURED_DIGEST_TIME,
  DELIVERIES,
  DELIVERY_RETRY,
  JOB_QUEUES,
  PROJECTION_SOURCE,
} from './tokens';

/** The adapters and the configuration the hosting process hands in, under their tokens, for every feature. */
@Global()
@Module({})
export class InfrastructureModule {
  static register(infra: Infrastructure): DynamicModule {
    const providers: Provider[] = [
      { provide: EVENT_STORE, useValue: infra.eventStore },
      { provide: USER_REPOSITORY, useValue: infra.users },
      { provide: IDEMPOTENCY_STORE, useValue: infra.idempotency },
      { provide: DIRECTORY, useValue: infra.directory },
      { provide: PASSWORD_HASHER, useValue: infra.passwordHasher },
      { provide: CLOCK, useValue: infra.clock },
      { provide: ID_GENERATOR, useValue: infra.ids },
      { provide: DATABASE_POOL, useValue: infra.pool },
      { provide: PROJECTION_SOURCE, useValue: { events: infra.projectionSource } },
      { provide: USE_CASE_DEPS, useValue: useCaseDeps(infra) },
      { provide: BULLETIN_DEPS, useValue: bulletinDeps(infra) },
      { provide: DIRECTORY_DEPS, useValue: directoryDeps(infra) },
      { provide: REMINDER_POLICIES, useValue: infra.reminderPolicies },
      { provide: DELIVERIES, useValue: infra.deliveries },
      { provide: JOB_QUEUES, useValue: infra.queues },
      { provide: SESSIONS, useValue: infra.sessions },
      { provide: EVIDENCE_STORE, useValue: infra.evidence },
      { provide: IMPORT_STORE, useValue: infra.imports },
      { provide: LOGIN_THROTTLE, useValue: infra.sessions },
      {
        provide: AUTH_POLICY,
        useValue: {
          accessTtlSeconds: infra.config.jwtTtlSeconds,
          refreshTtlSeconds: infra.config.refreshTtlSeconds,
          maxFailedLogins: infra.config.loginMaxFailures,
          lockSeconds: infra.config.loginLockSeconds,
          loginsPerMinutePerAddress: infra.config.loginRatePerMinute,
        } satisfies AuthPolicy,
      },
      { provide: RATE_LIMIT_COUNTER, useValue: counterOf(infra) },
      { provide: DELIVERY_RETRY, useValue: infra.config.deliveryRetry },
      { provide: DEADLINE_WARNING_DAYS, useValue: infra.config.deadlineWarningDays },
      { provide: LEDGER_MAX_ROWS, useValue: infra.config.ledgerMaxRows },
      { provide: CONFIGURED_DIGEST_TIME, useValue: infra.config.digestTime },
    ];
    return {
      module: InfrastructureModule,
      providers,
      exports: providers.map((p) => (p as { provide: symbol }).provide),
    };
  }
}
