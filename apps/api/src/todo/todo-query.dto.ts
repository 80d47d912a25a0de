import { ApiPropertyOptional } from '@nestjs/swagger';
import { TODO_KINDS, TodoKind } from '@zhenggai/read-models';
import { IsIn, IsOptional } from 'class-validator';
import { PageSizeQuery } from '../commands/shared.dto';

export class TodoQueryDto {
  @ApiPropertyOptional({ enum: TODO_KINDS, description: 'only the items of this kind' })
  @IsOptional()
  @IsIn(TODO_KINDS, { message: `kind must be one of ${TODO_KINDS.join(', ')}` })
  kind?: TodoKind;

  @PageSizeQuery()
  limit?: number;
}
