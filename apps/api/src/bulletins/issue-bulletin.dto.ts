import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDefined, IsOptional, IsString, IsUUID, ValidateNested } from 'class-validator';
import { TITLE_MAX_LENGTH } from '@zhenggai/domain';
import { IsInstant, IsLocalDate, TextLength } from '../commands/shared.dto';

export class BulletinScopeDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'a region within your reach (absent: all of your reach)' })
  @IsOptional()
  @IsUUID()
  regionId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'one campaign (专项行动): its progress is what is reported' })
  @IsOptional()
  @IsUUID()
  campaignId?: string;
}

export class BulletinPeriodDto {
  @ApiProperty({ example: '2018-09-24', description: 'first day of the period (Asia/Shanghai)' })
  @IsLocalDate()
  from!: string;

  @ApiProperty({ example: '2018-09-30', description: 'last day of the period, at the latest the day of asOf' })
  @IsLocalDate()
  to!: string;
}

export class IssueBulletinDto {
  @ApiPropertyOptional({ type: BulletinScopeDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => BulletinScopeDto)
  scope?: BulletinScopeDto;

  @ApiProperty({ type: BulletinPeriodDto, description: 'the days whose send-backs and extensions are reported' })
  @IsDefined()
  @ValidateNested()
  @Type(() => BulletinPeriodDto)
  period!: BulletinPeriodDto;

  @ApiPropertyOptional({
    example: '2018-09-30T23:59:59+08:00',
    description: 'the instant the figures are taken at (absent: now)',
  })
  @IsOptional()
  @IsInstant()
  asOf?: string;

  @ApiPropertyOptional({ example: '关于危房改造清零专项行动整改情况的通报' })
  @IsOptional()
  @IsString()
  @TextLength(1, TITLE_MAX_LENGTH)
  title?: string;
}

export class ReissueBulletinDto {
  @ApiPropertyOptional({ description: 'the instant the new version is taken at (absent: the last version’s)' })
  @IsOptional()
  @IsInstant()
  asOf?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @TextLength(1, TITLE_MAX_LENGTH)
  title?: string;
}
