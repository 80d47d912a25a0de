import { createSecretKey } from 'node:crypto';
import { DynamicModule, Module } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { JwtModule } from '@nestjs/jwt';
import { Infrastructure } from '@zhenggai/platform';
import { AccessModule } from './access/access.module';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { BulletinsModule } from './bulletins/bulletins.module';
import { CampaignsModule } from './campaigns/campaigns.module';
import { DirectoryModule } from './directory/directory.module';
import { EvidenceModule } from './evidence/evidence.module';
import { FindingsModule } from './findings/findings.module';
import { HealthModule } from './health/health.module';
import { HttpModule } from './http/http.module';
import { ImportsModule } from './imports/imports.module';
import { InboxModule } from './inbox/inbox.module';
import { InfrastructureModule } from './infrastructure/infrastructure.module';
import { RemindersModule } from './reminders/reminders.module';
import { TasksModule } from './tasks/tasks.module';
import { TodoModule } from './todo/todo.module';
import { ViewsModule } from './views/views.module';

/**
 * The HTTP API: one Nest module per feature, over the adapters that come in from the process that hosts it
 * (api, or all-in-one), what every feature shares (access, HTTP, the command bus) beside them.
 */
@Module({})
export class ApiModule {
  static register(infra: Infrastructure, hosted: DynamicModule[] = []): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        CqrsModule.forRoot(),
        JwtModule.register({
          global: true,
          // A KeyObject, not a string: jsonwebtoken otherwise re-parses the secret on every request.
          secret: createSecretKey(Buffer.from(infra.jwtSecret, 'utf8')) as unknown as string,
          signOptions: { expiresIn: infra.config.jwtTtlSeconds, algorithm: 'HS256' },
          verifyOptions: { algorithms: ['HS256'] },
        }),
        InfrastructureModule.register(infra),
        AccessModule,
        HttpModule,
        AuthModule,
        FindingsModule,
        TasksModule,
        CampaignsModule,
        BulletinsModule,
        DirectoryModule,
        HealthModule,
        ViewsModule,
        AuditModule,
        InboxModule,
        TodoModule,
        RemindersModule,
        EvidenceModule,
        ImportsModule,
        ...hosted,
      ],
    };
  }
}
