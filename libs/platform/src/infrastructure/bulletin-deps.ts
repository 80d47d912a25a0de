import { IssueBulletinDeps } from '@zhenggai/application';
import { warningDaysOf } from '@zhenggai/domain';
import { BulletinFiles } from '@zhenggai/notifications';
import { BulletinComposer, TaskQueries } from '@zhenggai/read-models';
import { Infrastructure, useCaseDeps } from './infrastructure';

/**
 * What issuing a bulletin (情况通报) needs, for the API (a person issues one) and the worker (a weekly schedule
 * does): the write side's, the composer over the read models (lights on the same warning window as the deadline
 * view), the DOCX and PDF renderer, and the evidence store the files are kept in.
 */
export function bulletinDeps(infra: Infrastructure): IssueBulletinDeps {
  const fixed = infra.config.deadlineWarningDays;
  return {
    ...useCaseDeps(infra),
    bulletins: new BulletinComposer({
      sql: infra.pool,
      tasks: new TaskQueries(infra.pool),
      directory: infra.directory,
      store: infra.eventStore,
      warningDays: async () => fixed ?? warningDaysOf(await infra.reminderPolicies.inForce(null)),
    }),
    renderer: new BulletinFiles(),
    files: infra.evidence,
    clock: infra.clock,
  };
}
