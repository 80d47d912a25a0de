import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, Matches } from 'class-validator';
import { TEXT_MAX_LENGTH, TITLE_MAX_LENGTH } from '@zhenggai/domain';
import { EvidenceList, EvidenceRefDto, TextLength } from '../commands/shared.dto';

export class FileFindingDto {
  @ApiProperty({ example: '村庄环境脏乱差，破旧房屋散乱无序' })
  @IsString()
  @TextLength(1, TITLE_MAX_LENGTH)
  title!: string;

  @ApiPropertyOptional({ example: '垃圾柴垛随处堆放，道路坑坑洼洼' })
  @IsOptional()
  @IsString()
  @TextLength(0, TEXT_MAX_LENGTH)
  description?: string;

  @ApiProperty({ description: 'region id (GET /api/regions)', format: 'uuid' })
  @IsUUID()
  regionId!: string;

  @ApiProperty({ example: 'village-environment', description: 'category code, lowercase letters, digits and dashes' })
  @Matches(/^[a-z0-9][a-z0-9-]{0,63}$/, { message: 'category must be a code of lowercase letters, digits and dashes' })
  category!: string;

  @ApiProperty({ enum: ['low', 'medium', 'high'], description: 'low 一般 · medium 较重 · high 严重' })
  @IsIn(['low', 'medium', 'high'])
  severity!: 'low' | 'medium' | 'high';

  @ApiPropertyOptional({ example: '市委督查组 2018-05-16 实地督查' })
  @IsOptional()
  @IsString()
  @TextLength(0, TITLE_MAX_LENGTH)
  source?: string;

  @EvidenceList()
  evidence?: EvidenceRefDto[];
}
