import { ReminderLevel, ReminderPolicy } from '@zhenggai/domain';

export const REMINDER_POLICIES = Symbol('ReminderPolicies');

/**
 * The reminder ladders, as versioned data: `default`, and optionally one per campaign (its id is the
 * campaign's id). A new version never changes tasks already assigned: they keep the version pinned on them.
 */
export interface ReminderPolicySource {
  /** The ladder a task assigned now gets: its campaign's, else the default. */
  inForce(campaignId: string | null): Promise<ReminderPolicy>;
  /** The latest version of every policy. */
  list(): Promise<ReminderPolicy[]>;
  /** Records the next version of a policy and returns it. */
  define(id: string, name: string, levels: readonly ReminderLevel[], definedBy: string): Promise<ReminderPolicy>;
}
