import { ApiPropertyOptional } from '@nestjs/swagger';
import { isTodoCursor, TODO_KINDS, TodoKind } from '@zhenggai/read-models';
import {
  IsIn,
  IsOptional,
  IsString,
  Validate,
  ValidatorConstraint,
  ValidatorConstraintInterface,
} from 'class-validator';
import { PageSizeQuery } from '../commands/shared.dto';

@ValidatorConstraint({ name: 'todoCursor' })
class TodoCursor implements ValidatorConstraintInterface {
  validate(value: unknown): boolean {
    return typeof value === 'string' && isTodoCursor(value);
  }

  defaultMessage(): string {
    return 'after must be the next of a page of the to-do';
  }
}

export class TodoQueryDto {
  @ApiPropertyOptional({ enum: TODO_KINDS, description: 'only the items of this kind' })
  @IsOptional()
  @IsIn(TODO_KINDS, { message: `kind must be one of ${TODO_KINDS.join(', ')}` })
  kind?: TodoKind;

  @PageSizeQuery()
  limit?: number;

  @ApiPropertyOptional({ description: 'the items after these: the `next` of the page before (same kind)' })
  @IsOptional()
  @IsString()
  @Validate(TodoCursor)
  after?: string;
}
