import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsOptional, IsString, Length, Matches, Max, Min, ValidateBy, ValidateNested } from 'class-validator';
import { isLocalDate } from '@zhenggai/domain';

/** A reference to supporting evidence (佐证材料): an uploaded file, a document number, a link. */
export class EvidenceRefDto {
  @ApiProperty({ example: 'photo-caiying-2018-07-14-001.jpg' })
  @IsString()
  @Length(1, 500)
  ref!: string;

  @ApiPropertyOptional({ example: '大史郢庄拆除后照片' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  name?: string;

  @ApiPropertyOptional({ description: 'SHA-256 of the file, hex' })
  @IsOptional()
  @Matches(/^[0-9a-f]{64}$/, { message: 'sha256 must be 64 lowercase hex characters' })
  sha256?: string;
}

export class QuantityTargetDto {
  @ApiProperty({ example: 217 })
  @IsQuantity()
  @Min(0.0001)
  @Max(1e12)
  quantity!: number;

  @ApiProperty({ example: '户', description: 'unit of measure: 户, 间, 个, 公里, 亩…' })
  @IsString()
  @Length(1, 16)
  unit!: string;
}

/** A date of the calendar, `YYYY-MM-DD` (Asia/Shanghai): not 2018-02-30, not an instant, named as the field is. */
export function IsLocalDate() {
  return ValidateBy({
    name: 'isLocalDate',
    validator: { validate: (value: unknown) => isLocalDate(value), defaultMessage: () => '$property must be a date YYYY-MM-DD (Asia/Shanghai)' },
  });
}

/**
 * A finite number with at most 4 decimal places. Not class-validator's `IsNumber({ maxDecimalPlaces })`, which
 * throws (a 500) on a number JavaScript writes with an exponent, such as 1e-7.
 */
export function IsQuantity() {
  return ValidateBy({
    name: 'isQuantity',
    validator: {
      validate: (value: unknown) => typeof value === 'number' && Number.isFinite(value) && Number(value.toFixed(4)) === value,
      defaultMessage: () => '$property must be a number with at most 4 decimal places',
    },
  });
}

/** A list of evidence references (佐证材料), at most 50; `required` asks for at least one. */
export function EvidenceList(options: { required?: boolean; description?: string } = {}) {
  const list = [IsArray(), ArrayMaxSize(50), ValidateNested({ each: true }), Type(() => EvidenceRefDto)];
  return options.required
    ? applyDecorators(
        ApiProperty({ type: [EvidenceRefDto], description: options.description }),
        ArrayMinSize(1, { message: 'evidence must list at least one item (佐证材料)' }),
        ...list,
      )
    : applyDecorators(ApiPropertyOptional({ type: [EvidenceRefDto], description: options.description }), IsOptional(), ...list);
}
