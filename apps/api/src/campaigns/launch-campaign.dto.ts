import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsOptional, IsString, IsUUID, Length, Matches, ValidateNested } from 'class-validator';
import { IsLocalDate, QuantityTargetDto } from '../commands/shared.dto';

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
  @Length(1, 100)
  label!: string;
}

export class LaunchCampaignDto {
  @ApiProperty({ example: '危房改造清零' })
  @IsString()
  @Length(1, 200)
  name!: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(0, 4000)
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
