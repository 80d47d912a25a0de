import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsOptional, IsString, IsUUID, Max, Min } from 'class-validator';
import { TEXT_MAX_LENGTH } from '@zhenggai/domain';
import { EvidenceList, EvidenceRefDto, IsLocalDate, IsQuantity, TextLength } from '../commands/shared.dto';

export class RecordPlanDto {
  @ApiProperty({ example: '一户一方案：拆除破旧房屋217户696间，分三批实施' })
  @IsString()
  @TextLength(1, TEXT_MAX_LENGTH)
  plan!: string;
}

export class ReportProgressDto {
  @ApiPropertyOptional({ example: 120, description: 'quantity done so far (cumulative), in the target unit' })
  @IsOptional()
  @IsQuantity()
  @Min(0)
  @Max(1e12)
  quantityDone?: number;

  @ApiPropertyOptional({ example: '已完成大史郢庄、万庄拆除' })
  @IsOptional()
  @IsString()
  @TextLength(0, TEXT_MAX_LENGTH)
  note?: string;

  @EvidenceList()
  evidence?: EvidenceRefDto[];
}

export class SubmitDto {
  @ApiProperty({ description: 'completion report (整改报告)' })
  @IsString()
  @TextLength(1, TEXT_MAX_LENGTH)
  report!: string;

  @EvidenceList({ required: true, description: 'supporting evidence (佐证材料), at least one' })
  evidence!: EvidenceRefDto[];

  @ApiPropertyOptional({ description: 'final quantity done, if not reported yet' })
  @IsOptional()
  @IsQuantity()
  @Min(0)
  @Max(1e12)
  quantityDone?: number;
}

export class VerifyDto {
  @ApiPropertyOptional({ example: '现场核查属实，同意销号' })
  @IsOptional()
  @IsString()
  @TextLength(0, TEXT_MAX_LENGTH)
  note?: string;
}

export class ReasonDto {
  @ApiProperty({ example: '佐证材料不全' })
  @IsString()
  @TextLength(1, TEXT_MAX_LENGTH)
  reason!: string;
}

export class ReassignDto extends ReasonDto {
  @ApiProperty({ format: 'uuid', description: 'the new lead unit' })
  @IsUUID()
  unitId!: string;

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @IsUUID('all', { each: true })
  cooperatingUnitIds?: string[];
}

export class ReopenDto extends ReasonDto {
  @ApiProperty({ example: '2019-03-31', description: 'the new deadline for the re-rectification' })
  @IsLocalDate()
  deadline!: string;
}

export class RequestExtensionDto extends ReasonDto {
  @ApiProperty({ example: '2018-10-15', description: 'the deadline asked for' })
  @IsLocalDate()
  deadline!: string;
}
