import { ApiProperty, ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, Matches } from 'class-validator';
import { NAME_MAX_LENGTH, REGION_LEVELS, RegionLevel, Role, ROLES, TITLE_MAX_LENGTH } from '@zhenggai/domain';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '@zhenggai/application';
import { TextLength } from '../commands/shared.dto';

export class CreateRegionDto {
  @ApiProperty({ example: '341225', description: '行政区划代码' })
  @Matches(/^\d{6,12}$/, { message: 'code must be an administrative division code of 6 to 12 digits' })
  code!: string;

  @ApiProperty({ example: '阜南县' })
  @IsString()
  @TextLength(1, NAME_MAX_LENGTH)
  name!: string;

  @ApiProperty({ enum: REGION_LEVELS })
  @IsIn(REGION_LEVELS)
  level!: RegionLevel;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  parentId?: string;
}

export class CreateUnitDto {
  @ApiProperty({ example: '王堰镇人民政府' })
  @IsString()
  @TextLength(1, NAME_MAX_LENGTH)
  name!: string;

  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  regionId!: string;

  @ApiPropertyOptional({ example: '镇长' })
  @IsOptional()
  @IsString()
  @TextLength(1, NAME_MAX_LENGTH)
  headName?: string;

  @ApiPropertyOptional({ example: '0558-0000000' })
  @IsOptional()
  @IsString()
  @TextLength(1, TITLE_MAX_LENGTH)
  contact?: string;
}

export class CreateUserDto {
  @ApiProperty({ example: 'wangyan-town' })
  @Matches(/^[a-z0-9][a-z0-9._-]{2,63}$/, {
    message: 'username must be 3 to 64 lowercase letters, digits, dots, dashes or underscores',
  })
  username!: string;

  @ApiProperty({ example: '王堰镇联络员' })
  @IsString()
  @TextLength(1, NAME_MAX_LENGTH)
  displayName!: string;

  @ApiProperty({ enum: ROLES })
  @IsIn(ROLES)
  role!: Role;

  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true, description: 'required for unit users' })
  @IsOptional()
  @IsUUID()
  unitId?: string;

  @ApiPropertyOptional({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'the region subtree an inspector or a leader works in; absent or null: the whole tree',
  })
  @IsOptional()
  @IsUUID()
  regionScopeId?: string;

  @ApiProperty({ description: 'at least 12 characters' })
  @IsString()
  @TextLength(PASSWORD_MIN_LENGTH, PASSWORD_MAX_LENGTH, {
    message: `password must be ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters`,
  })
  password!: string;
}

export class RenameDto {
  @ApiProperty({ example: '王堰镇' })
  @IsString()
  @TextLength(1, NAME_MAX_LENGTH)
  name!: string;
}

export class UpdateUnitDto {
  @ApiProperty({ example: '王堰镇人民政府' })
  @IsString()
  @TextLength(1, NAME_MAX_LENGTH)
  name!: string;

  @ApiPropertyOptional({ type: String, example: '镇长', nullable: true })
  @IsOptional()
  @IsString()
  @TextLength(1, NAME_MAX_LENGTH)
  headName?: string | null;

  @ApiPropertyOptional({ type: String, example: '0558-0000000', nullable: true })
  @IsOptional()
  @IsString()
  @TextLength(1, TITLE_MAX_LENGTH)
  contact?: string | null;
}

/** What an admin changes of a user's reach: its name, role, unit and region scope (absent or null: none). */
export class UpdateUserAccessDto extends OmitType(CreateUserDto, ['username', 'password'] as const) {}

export class SetPasswordDto {
  @ApiProperty({ description: 'at least 12 characters of three kinds, or 20 or more' })
  @IsString()
  @TextLength(PASSWORD_MIN_LENGTH, PASSWORD_MAX_LENGTH, {
    message: `password must be ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters`,
  })
  password!: string;
}

export class CreateCategoryDto {
  @ApiProperty({ example: 'dangerous-housing', description: 'stable code that findings and campaigns name' })
  @Matches(/^[a-z0-9][a-z0-9-]{0,62}$/, { message: 'code must be lower-case letters, digits and hyphens, at most 63' })
  code!: string;

  @ApiProperty({ example: '危房改造' })
  @IsString()
  @TextLength(1, NAME_MAX_LENGTH)
  name!: string;
}
