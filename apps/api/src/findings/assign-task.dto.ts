import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsOptional, IsString, IsUUID, ValidateNested } from 'class-validator';
import { TEXT_MAX_LENGTH, TITLE_MAX_LENGTH } from '@zhenggai/domain';
import { IsLocalDate, QuantityTargetDto, TextLength } from '../commands/shared.dto';

export class AssignTaskDto {
  @ApiProperty({ description: 'the lead responsible unit (牵头单位), GET /api/units', format: 'uuid' })
  @IsUUID()
  unitId!: string;

  @ApiPropertyOptional({ description: 'cooperating units (配合单位)', type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsUUID('all', { each: true })
  cooperatingUnitIds?: string[];

  @ApiProperty({ example: '2018-09-30', description: 'falls due at the end of this date, Asia/Shanghai' })
  @IsLocalDate()
  deadline!: string;

  @ApiProperty({ example: '拆除破旧房屋，一户一方案' })
  @IsString()
  @TextLength(1, TEXT_MAX_LENGTH)
  measures!: string;

  @ApiPropertyOptional({ type: QuantityTargetDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => QuantityTargetDto)
  target?: QuantityTargetDto;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  campaignId?: string;

  @ApiPropertyOptional({ description: "defaults to the finding's title" })
  @IsOptional()
  @IsString()
  @TextLength(1, TITLE_MAX_LENGTH)
  title?: string;
}
