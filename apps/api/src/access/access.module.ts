import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ActiveSessions } from './active-sessions';
import { BearerAuthenticator } from './bearer-authenticator';
import { DirectoryView } from './directory-view';
import { JwtAuthGuard } from './jwt-auth.guard';
import { StreamReach } from './stream-reach';

/** Who is asking (the bearer token, its session, its role) and what lies within its reach, for every feature. */
@Global()
@Module({
  providers: [
    ActiveSessions,
    BearerAuthenticator,
    DirectoryView,
    StreamReach,
    { provide: APP_GUARD, useClass: JwtAuthGuard },
  ],
  exports: [ActiveSessions, BearerAuthenticator, DirectoryView, StreamReach],
})
export class AccessModule {}
