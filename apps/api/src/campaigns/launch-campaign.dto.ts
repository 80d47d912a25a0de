import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsOptional, IsString, IsUUID, Matches, ValidateNested } from 'class-validator';
import { NAME_MAX_LENGTH, TEXT_MAX_LENGTH, TITLE_MAX_LENGTH } from '@zhenggai/domain';
import { IsLocalDate, QuantityTargetDto, TextLength } from '../commands/shared.dto';

export class CampaignScopeDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'the region subtree the campaign covers' })
  @IsOptional()
  @IsUUID()
  regionId?: string;

  @ApiPropertyOptional({ example: 'dangerous-housing' })
  @IsOptional()
  @Matches(/^[a-z0-9][a-z0-9-]{0,63}$/, { message: 'category must be a code of lowercase letters, digits and dashes' })
  category?: string;
}

export class CampaignTargetDto extends QuantityTargetDto {
  @ApiProperty({ example: '危房清零' })
  @IsString()
  @TextLength(1, NAME_MAX_LENGTH)
  label!: string;
}

export class LaunchCampaignDto {
  @ApiProperty({ example: '危房改造清零' })
  @IsString()
  @TextLength(1, TITLE_MAX_LENGTH)
  name!: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @TextLength(0, TEXT_MAX_LENGTH)
  description?: string;

  @ApiProperty({ example: '2018-09-30' })
  @IsLocalDate()
  deadline!: string;

  @ApiPropertyOptional({ type: CampaignScopeDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => CampaignScopeDto)
  scope?: CampaignScopeDto;

  @ApiPropertyOptional({ type: [CampaignTargetDto] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => CampaignTargetDto)
  targets?: CampaignTargetDto[];
}
