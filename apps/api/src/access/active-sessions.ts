import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, Clock, SESSIONS, SessionStore } from '@zhenggai/application';

/** How long another API instance may keep accepting a session that was just ended (this one stops at once). */
export const SESSION_RECHECK_MS = 2000;
const REMEMBERED = 10_000;

/**
 * Whether a session is still on, asked on every request: answered from memory for a moment, so a busy session
 * costs one query every two seconds rather than one per request. Ending a session here forgets it at once.
 */
@Injectable()
export class ActiveSessions {
  private readonly active = new Map<string, number>();

  constructor(
    @Inject(SESSIONS) private readonly sessions: SessionStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async isActive(sessionId: string): Promise<boolean> {
    const until = this.active.get(sessionId);
    if (until !== undefined && until > Date.now()) return true;
    const active = await this.sessions.isActive(sessionId, this.clock.now());
    if (active) {
      if (this.active.size >= REMEMBERED) this.active.delete(this.active.keys().next().value as string);
      this.active.set(sessionId, Date.now() + SESSION_RECHECK_MS);
    } else {
      this.active.delete(sessionId);
    }
    return active;
  }

  async end(sessionId: string): Promise<void> {
    this.active.delete(sessionId);
    await this.sessions.end(sessionId, this.clock.now());
  }

  async endAllOf(userId: string): Promise<void> {
    for (const id of await this.sessions.endAllOf(userId, this.clock.now())) this.active.delete(id);
  }
}
