import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsUUID, Matches } from 'class-validator';

export class SimilarFindingsQueryDto {
  @ApiProperty({ example: 'sanitation' })
  @Matches(/^[a-z0-9][a-z0-9-]{0,63}$/, { message: 'category must be a code of lowercase letters, digits and dashes' })
  category!: string;

  @ApiProperty({ format: 'uuid', description: 'the place to look around' })
  @IsUUID()
  regionId!: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'a finding to leave out (the one being looked at)' })
  @IsOptional()
  @IsUUID()
  excludeId?: string;
}
