import { ApiProperty, ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, Length, Matches } from 'class-validator';
import { REGION_LEVELS, RegionLevel, Role, ROLES } from '@zhenggai/domain';

export class CreateRegionDto {
  @ApiProperty({ example: '341225', description: '行政区划代码' })
  @Matches(/^\d{6,12}$/, { message: 'code must be an administrative division code of 6 to 12 digits' })
  code!: string;

  @ApiProperty({ example: '阜南县' })
  @IsString()
  @Length(1, 100)
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
  @Length(1, 100)
  name!: string;

  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  regionId!: string;

  @ApiPropertyOptional({ example: '镇长' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  headName?: string;

  @ApiPropertyOptional({ example: '0558-0000000' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  contact?: string;
}

export class CreateUserDto {
  @ApiProperty({ example: 'wangyan-town' })
  @Matches(/^[a-z0-9][a-z0-9._-]{2,63}$/, { message: 'username must be 3 to 64 lowercase letters, digits, dots, dashes or underscores' })
  username!: string;

  @ApiProperty({ example: '王堰镇联络员' })
  @IsString()
  @Length(1, 100)
  displayName!: string;

  @ApiProperty({ enum: ROLES })
  @IsIn(ROLES)
  role!: Role;

  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true, description: 'required for unit users' })
  @IsOptional()
  @IsUUID()
  unitId?: string;

  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true, description: 'the region subtree an inspector or a leader works in; absent or null: the whole tree' })
  @IsOptional()
  @IsUUID()
  regionScopeId?: string;

  @ApiProperty({ description: 'at least 12 characters' })
  @IsString()
  @Length(12, 256, { message: 'password must be 12 to 256 characters' })
  password!: string;
}

export class RenameDto {
  @ApiProperty({ example: '王堰镇' })
  @IsString()
  @Length(1, 100)
  name!: string;
}

export class UpdateUnitDto {
  @ApiProperty({ example: '王堰镇人民政府' })
  @IsString()
  @Length(1, 100)
  name!: string;

  @ApiPropertyOptional({ type: String, example: '镇长', nullable: true })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  headName?: string | null;

  @ApiPropertyOptional({ type: String, example: '0558-0000000', nullable: true })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  contact?: string | null;
}

/** What an admin changes of a user's reach: its name, role, unit and region scope (absent or null: none). */
export class UpdateUserAccessDto extends OmitType(CreateUserDto, ['username', 'password'] as const) {}

export class SetPasswordDto {
  @ApiProperty({ description: 'at least 12 characters of three kinds, or 20 or more' })
  @IsString()
  @Length(12, 256, { message: 'password must be 12 to 256 characters' })
  password!: string;
}

export class CreateCategoryDto {
  @ApiProperty({ example: 'dangerous-housing', description: 'stable code that findings and campaigns name' })
  @Matches(/^[a-z0-9][a-z0-9-]{0,62}$/, { message: 'code must be lower-case letters, digits and hyphens, at most 63' })
  code!: string;

  @ApiProperty({ example: '危房改造' })
  @IsString()
  @Length(1, 100)
  name!: string;
}
