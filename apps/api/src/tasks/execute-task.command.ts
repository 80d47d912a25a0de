import { TaskLifecycleCommand } from '@zhenggai/application';
import { TaskStatus } from '@zhenggai/domain';
import { ApiCommand } from '../commands/api-command';
import { CommandAnswer, CommandContext } from '../commands/command-context';

/** What a lifecycle command answers: the task's revision and status after it, and whether it changed anything. */
export interface TaskCommandAnswer extends CommandAnswer {
  readonly status: TaskStatus;
  readonly changed: boolean;
}

/**
 * One lifecycle command on an existing task (accept, plan, progress, extensions, submit, verify…), as it comes from
 * HTTP.
 */
export class ExecuteTaskCommand<
  C extends TaskLifecycleCommand = TaskLifecycleCommand,
> extends ApiCommand<TaskCommandAnswer> {
  constructor(
    context: CommandContext,
    readonly taskId: string,
    readonly type: C['type'],
    readonly data: C['data'],
  ) {
    super(context);
  }
}
