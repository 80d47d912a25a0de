import { applyDecorators } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  ValidateBy,
  ValidateNested,
  ValidationOptions,
} from 'class-validator';
import {
  EARLIEST_DATE,
  EVIDENCE_REF_MAX_LENGTH,
  isLocalDate,
  isWithinCalendar,
  LATEST_DATE,
  shanghaiDateOf,
  TITLE_MAX_LENGTH,
  UNIT_MAX_LENGTH,
} from '@zhenggai/domain';

/** `?flag=true` / `false` as a boolean (anything else is left for the validator to refuse). */
export const bool = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);

/** An optional page size: 1 to 200, 50 when absent. */
export const PageSizeQuery = () =>
  applyDecorators(
    ApiPropertyOptional({ default: 50, minimum: 1, maximum: 200 }),
    IsOptional(),
    Type(() => Number),
    IsInt(),
    Min(1),
    Max(200),
  );

/** The body of a command that takes no fields (an empty object, or none). */
export class EmptyDto {}

/**
 * `Length(min, max)` that the OpenAPI document states as well (minLength, maxLength). The maximum is the domain's
 * constant for the field (`TEXT_MAX_LENGTH`, `TITLE_MAX_LENGTH`…), never a literal: the edge refuses what the
 * domain would, with the same figure.
 */
export function TextLength(min: number, max: number, options?: ValidationOptions) {
  return applyDecorators(Length(min, max, options), ApiProperty({ minLength: min, maxLength: max }));
}

/** A reference to supporting evidence (佐证材料): an uploaded file, a document number, a link. */
export class EvidenceRefDto {
  @ApiProperty({ example: 'photo-caiying-2018-07-14-001.jpg' })
  @IsString()
  @TextLength(1, EVIDENCE_REF_MAX_LENGTH)
  ref!: string;

  @ApiPropertyOptional({ example: '大史郢庄拆除后照片' })
  @IsOptional()
  @IsString()
  @TextLength(1, TITLE_MAX_LENGTH)
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
  @TextLength(1, UNIT_MAX_LENGTH)
  unit!: string;
}

/**
 * A date of the calendar, `YYYY-MM-DD` (Asia/Shanghai): not 2018-02-30, not an instant, not before 1900 or after
 * 2999 (the span the system takes, see the domain's `EARLIEST_DATE`), named as the field is.
 */
export function IsLocalDate() {
  return ValidateBy({
    name: 'isLocalDate',
    validator: {
      validate: (value: unknown) => isLocalDate(value) && isWithinCalendar(value),
      defaultMessage: () =>
        `$property must be a date YYYY-MM-DD (Asia/Shanghai) from ${EARLIEST_DATE} to ${LATEST_DATE}`,
    },
  });
}

/**
 * An instant as the API takes it: a calendar date, a time and its offset from UTC, e.g. `2018-09-30T23:59:59+08:00`
 * or `2018-09-30T15:59:59.999Z`. Not a date alone, nor a time without its offset (the server's own time zone would
 * decide what it means), nor ISO 8601's week, ordinal or basic forms, which JavaScript cannot read.
 */
const INSTANT =
  /^(\d{4}-\d{2}-\d{2})T([01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d{1,9})?)?(?:Z|[+-](?:0\d|1[0-4]):[0-5]\d)$/;

/**
 * What is wrong with an instant given for `field` (a query parameter, a header), or null. The one rule for every
 * instant the API takes: it must be written as {@link INSTANT} says, and fall, in Asia/Shanghai, on a day within
 * the span the system takes (1900-01-01 to 2999-12-31), so that nothing computed from it leaves what JavaScript
 * and PostgreSQL hold.
 */
export function instantFault(value: unknown, field: string): string | null {
  const example = `e.g. 2018-09-30T23:59:59+08:00`;
  const written = typeof value === 'string' ? INSTANT.exec(value) : null;
  if (!written || !isLocalDate(written[1])) return `${field} must be an ISO 8601 instant with its offset, ${example}`;
  const at = Date.parse(value as string);
  if (Number.isNaN(at) || !isWithinCalendar(shanghaiDateOf(new Date(at)))) {
    return `${field} must be an instant from ${EARLIEST_DATE}T00:00:00+08:00 to ${LATEST_DATE}T23:59:59.999+08:00`;
  }
  return null;
}

/** A query or body field that takes an instant (see {@link instantFault}); the message names the field. */
export function IsInstant() {
  return ValidateBy({
    name: 'isInstant',
    validator: {
      validate: (value: unknown, args) => instantFault(value, args?.property ?? 'value') === null,
      defaultMessage: (args) => instantFault(args?.value, args?.property ?? 'value') ?? '',
    },
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
      validate: (value: unknown) =>
        typeof value === 'number' && Number.isFinite(value) && Number(value.toFixed(4)) === value,
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
    : applyDecorators(
        ApiPropertyOptional({ type: [EvidenceRefDto], description: options.description }),
        IsOptional(),
        ...list,
      );
}
