import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional, Matches } from 'class-validator';
import { bool, PageSizeQuery } from '../commands/shared.dto';

export class InboxQueryDto {
  @ApiPropertyOptional({ description: 'true: only the messages not read yet' })
  @IsOptional()
  @Transform(bool)
  @IsBoolean({ message: 'unread must be true or false' })
  unread?: boolean;

  @PageSizeQuery()
  limit?: number;

  @ApiPropertyOptional({
    description: 'the next page: messages older than this `position` (the last one of the previous page)',
  })
  @IsOptional()
  @Matches(/^\d{1,18}$/, { message: 'before must be the position of a message' })
  before?: string;
}
