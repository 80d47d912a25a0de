import { CommandHandler } from '@nestjs/cqrs';
import { CommandMetadata } from '@zhenggai/domain';
import { ApiCommandHandler } from '../commands/api-command';
import { InboxService, ReadAnswer } from './inbox.service';
import { MarkReadCommand } from './mark-read.command';

@CommandHandler(MarkReadCommand)
export class MarkReadHandler extends ApiCommandHandler<MarkReadCommand, ReadAnswer> {
  constructor(private readonly inbox: InboxService) {
    super();
  }

  protected handle({ context, taskId, reminderId }: MarkReadCommand, metadata: CommandMetadata): Promise<ReadAnswer> {
    return this.inbox.markRead(metadata, taskId, reminderId, context.expectedRevision);
  }
}
