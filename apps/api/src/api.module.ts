import { createSecretKey } from 'node:crypto';
import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { JwtModule } from '@nestjs/jwt';
import {
  CLOCK,
  DIRECTORY,
  DIRECTORY_DEPS,
  EVENT_STORE,
  EVIDENCE_STORE,
  ID_GENERATOR,
  IDEMPOTENCY_STORE,
  LOGIN_THROTTLE,
  PASSWORD_HASHER,
  REMINDER_POLICIES,
  SESSIONS,
  USE_CASE_DEPS,
  USER_REPOSITORY,
} from '@zhenggai/application';
import { directoryDeps, Infrastructure, useCaseDeps } from '@zhenggai/platform';
import { AuditVerifyController } from './audit/audit-verify.controller';
import { AuthController } from './auth/auth.controller';
import { ActiveSessions } from './auth/active-sessions';
import { AUTH_POLICY, AuthPolicy, AuthService } from './auth/auth.service';
import { JwtAuthGuard } from './auth/jwt-auth.guard';
import { CampaignsController, campaignProviders } from './campaigns/campaigns.controller';
import { DirectoryController } from './directory/directory.controller';
import { DirectoryView } from './directory/directory-view';
import { StreamReach } from './audit/stream-reach';
import { AssignTaskHandler } from './findings/assign-task.handler';
import { FileFindingHandler } from './findings/file-finding.handler';
import { FindingReadService } from './findings/finding-read.service';
import { FindingsController } from './findings/findings.controller';
import { SimilarFindingsService } from './findings/similar-findings.service';
import { EvidenceController } from './evidence/evidence.controller';
import { LedgerExportService } from './tasks/ledger-export.service';
import { DATABASE_POOL, HealthController, PROJECTION_SOURCE } from './health/health.controller';
import { IdempotencyHooks } from './http/idempotency.hooks';
import { BearerAuthenticator } from './auth/bearer-authenticator';
import { ProblemDetailsFilter } from './http/problem-details.filter';
import { InboxController } from './inbox/inbox.controller';
import { InboxService } from './inbox/inbox.service';
import { DELIVERIES, DELIVERY_RETRY, JOB_QUEUES, RemindersController } from './reminders/reminders.controller';
import { ExecuteTaskCommandHandler } from './tasks/execute-task-command.handler';
import { ExtensionRequestsController } from './tasks/extension-requests.controller';
import { TaskReadService } from './tasks/task-read.service';
import { TasksController } from './tasks/tasks.controller';
import { DEADLINE_WARNING_DAYS, ReadModelsService } from './views/read-models.service';
import { ViewsController } from './views/views.controller';

/** The HTTP API. The adapters come in from the process that hosts it (api, or all-in-one). */
@Module({})
export class ApiModule {
  static register(infra: Infrastructure, hosted: DynamicModule[] = []): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        CqrsModule.forRoot(),
        JwtModule.register({
          // A KeyObject, not a string: jsonwebtoken otherwise re-parses the secret on every request.
          secret: createSecretKey(Buffer.from(infra.jwtSecret, 'utf8')) as unknown as string,
          signOptions: { expiresIn: infra.config.jwtTtlSeconds, algorithm: 'HS256' },
          verifyOptions: { algorithms: ['HS256'] },
        }),
        ...hosted,
      ],
      controllers: [
        AuthController,
        FindingsController,
        TasksController,
        ExtensionRequestsController,
        CampaignsController,
        DirectoryController,
        HealthController,
        ViewsController,
        AuditVerifyController,
        InboxController,
        RemindersController,
        EvidenceController,
      ],
      providers: [
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
        { provide: DIRECTORY_DEPS, useValue: directoryDeps(infra) },
        DirectoryView,
        StreamReach,
        { provide: REMINDER_POLICIES, useValue: infra.reminderPolicies },
        { provide: DELIVERIES, useValue: infra.deliveries },
        { provide: JOB_QUEUES, useValue: infra.queues },
        { provide: SESSIONS, useValue: infra.sessions },
        { provide: EVIDENCE_STORE, useValue: infra.evidence },
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
        ActiveSessions,
        BearerAuthenticator,
        IdempotencyHooks,
        { provide: DELIVERY_RETRY, useValue: infra.config.deliveryRetry },
        { provide: APP_GUARD, useClass: JwtAuthGuard },
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
        AuthService,
        TaskReadService,
        ReadModelsService,
        { provide: DEADLINE_WARNING_DAYS, useValue: infra.config.deadlineWarningDays },
        FindingReadService,
        SimilarFindingsService,
        LedgerExportService,
        InboxService,
        FileFindingHandler,
        AssignTaskHandler,
        ExecuteTaskCommandHandler,
        ...campaignProviders,
      ],
    };
  }
}
