import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { MAX_SUBTASKS_PER_BREAKDOWN, TEXT_MAX_LENGTH, TITLE_MAX_LENGTH } from '@zhenggai/domain';
import { IsLocalDate, IsQuantity, TextLength } from '../commands/shared.dto';

export class SubtaskDto {
  @ApiProperty({
    format: 'uuid',
    description: "a unit of a region below the lead unit's, or one of the task's cooperating units (GET /api/units)",
  })
  @IsUUID()
  unitId!: string;

  @ApiProperty({ example: '2018-09-15', description: "no later than the task's own deadline" })
  @IsLocalDate()
  deadline!: string;

  @ApiProperty({ example: '蔡郢村拆除破旧房屋 217 户 696 间' })
  @IsString()
  @TextLength(1, TEXT_MAX_LENGTH)
  measures!: string;

  @ApiPropertyOptional({
    description: "defaults to the task's title followed by the unit's name: 蔡郢村危房改造（蔡郢村民委员会）",
  })
  @IsOptional()
  @IsString()
  @TextLength(1, TITLE_MAX_LENGTH)
  title?: string;

  @ApiPropertyOptional({
    example: 217,
    description: "its share of the task's quantity target, in the target's unit; the shares may not exceed the target",
  })
  @IsOptional()
  @IsQuantity()
  @Min(0.0001)
  @Max(1e12)
  share?: number;
}

export class BreakDownDto {
  @ApiProperty({ type: [SubtaskDto], minItems: 1, maxItems: MAX_SUBTASKS_PER_BREAKDOWN })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_SUBTASKS_PER_BREAKDOWN)
  @ValidateNested({ each: true })
  @Type(() => SubtaskDto)
  subtasks!: SubtaskDto[];
}
