import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  Min,
  Validate,
  ValidationArguments,
  ValidatorConstraint,
  ValidatorConstraintInterface,
} from 'class-validator';
import { REGION_LEVELS, RegionLevel, TASK_STATUSES } from '@zhenggai/domain';
import { AUDIT_COUNT_CAP, LIGHTS, LIST_ORDERS, ListOrder, parseListCursor } from '@zhenggai/read-models';
import { bool, IsInstant, IsLocalDate, PageSizeQuery } from '../commands/shared.dto';

const list = ({ value }: { value: unknown }) =>
  typeof value === 'string'
    ? value
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean)
    : value;

export class PageQueryDto {
  @ApiPropertyOptional({ default: 1, minimum: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100_000)
  page?: number;

  @PageSizeQuery()
  pageSize?: number;
}

export class AsOfQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ example: '2018-09-30T23:59:59+08:00', description: 'answer as things stood at this instant' })
  @IsOptional()
  @IsInstant()
  asOf?: string;
}

/** 市 › 县 › 乡镇 › 村: roll a view up to these region levels (comma-separated). */
const ByRegionLevel = () =>
  applyDecorators(
    ApiPropertyOptional({
      description: `comma-separated region levels to roll up to: ${REGION_LEVELS.join(', ')}`,
      example: 'county,town,village',
    }),
    IsOptional(),
    Transform(list),
    IsArray(),
    ArrayMaxSize(REGION_LEVELS.length),
    IsIn(REGION_LEVELS, { each: true, message: `byRegionLevel must be among ${REGION_LEVELS.join(', ')}` }),
  );

export class CampaignProgressQueryDto extends AsOfQueryDto {
  @ByRegionLevel()
  byRegionLevel?: RegionLevel[];

  @ApiPropertyOptional({ description: 'true: add the burndown in the campaign’s own quantities (households, rooms)' })
  @IsOptional()
  @Transform(bool)
  @IsBoolean({ message: 'quantityBurndown must be true or false' })
  quantityBurndown?: boolean;
}

export class TaskListQueryDto extends AsOfQueryDto {
  @ApiPropertyOptional({ description: `comma-separated: ${TASK_STATUSES.join(', ')}` })
  @IsOptional()
  @Transform(list)
  @IsArray()
  @ArrayMaxSize(10)
  @IsIn(TASK_STATUSES, { each: true, message: `status must be among ${TASK_STATUSES.join(', ')}` })
  status?: string[];

  @ApiPropertyOptional({ format: 'uuid', description: 'the lead unit' })
  @IsOptional()
  @IsUUID()
  unitId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'the region and everything below it' })
  @IsOptional()
  @IsUUID()
  regionId?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @Matches(/^[a-z0-9][a-z0-9-]{0,63}$/, { message: 'category must be a code of lowercase letters, digits and dashes' })
  category?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  campaignId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  findingId?: string;

  @ApiPropertyOptional({ example: '2018-09-30', description: 'deadline on or before' })
  @IsOptional()
  @IsLocalDate()
  dueBefore?: string;

  @ApiPropertyOptional({ example: '2018-07-01', description: 'deadline on or after' })
  @IsOptional()
  @IsLocalDate()
  dueAfter?: string;

  @ApiPropertyOptional({ description: 'true: only overdue; false: only not overdue' })
  @IsOptional()
  @Transform(bool)
  @IsBoolean({ message: 'overdue must be true or false' })
  overdue?: boolean;

  @ApiPropertyOptional({ description: `comma-separated: ${LIGHTS.join(', ')}` })
  @IsOptional()
  @Transform(list)
  @IsArray()
  @IsIn(LIGHTS, { each: true, message: `light must be among ${LIGHTS.join(', ')}` })
  light?: string[];

  @ApiPropertyOptional({ description: 'words in the title or the measures' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  q?: string;

  @ApiPropertyOptional({
    enum: LIST_ORDERS,
    default: 'deadline',
    description:
      'deadline: nearest deadline first; urgency: overdue (open, past its deadline) first, then assigned (待签收), ' +
      'submitted (待验收) and the other open tasks, each nearest deadline first, then closed and cancelled, latest ' +
      'deadline first',
  })
  @IsOptional()
  @IsIn(LIST_ORDERS, { message: `sort must be one of ${LIST_ORDERS.join(', ')}` })
  sort?: ListOrder;
}

/** A cursor and a page number say two different places to start: one of them. */
@ValidatorConstraint({ name: 'notWithPage' })
class NotWithPage implements ValidatorConstraintInterface {
  validate(_: unknown, args?: ValidationArguments): boolean {
    return (args?.object as PageQueryDto | undefined)?.page === undefined;
  }

  defaultMessage(): string {
    return 'after cannot be combined with page: follow next instead';
  }
}

/** The task list's `after` is the `next` of a page of the list in the same order. */
@ValidatorConstraint({ name: 'cursorOfOrder' })
class CursorOfOrder implements ValidatorConstraintInterface {
  validate(value: unknown, args?: ValidationArguments): boolean {
    const sort = (args?.object as TaskListQueryDto | undefined)?.sort ?? 'deadline';
    return typeof value === 'string' && parseListCursor(value, sort) !== null;
  }

  defaultMessage(): string {
    return 'after must be the next of a page of this list, in the same order (sort)';
  }
}

/** A page of the task list: by number, or after the last task of the page before (`next`). */
export class TaskPageQueryDto extends TaskListQueryDto {
  @ApiPropertyOptional({
    example: '2018-09-30.0b6f2a47-3c1e-4d2b-9f3a-6a1d2e3f4b5c',
    description:
      'the tasks after this one: the `next` of the page before, in the same order (keyset paging, as quick on the ' +
      'last page as on the first). Not with `page`, which skips tasks by counting them',
  })
  @IsOptional()
  @Validate(CursorOfOrder)
  @Validate(NotWithPage)
  after?: string;
}

export class DeadlineViewQueryDto extends TaskPageQueryDto {
  @ByRegionLevel()
  byRegionLevel?: RegionLevel[];

  @ApiPropertyOptional({
    description: "true: the tasks counted by the unit leading each too (byUnit: each unit's lights, most red first)",
  })
  @IsOptional()
  @Transform(bool)
  @IsBoolean({ message: 'byUnit must be true or false' })
  byUnit?: boolean;
}

/** What the audit answers is told in its operation's description (ViewsController). */
export class AuditQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'a username' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  actor?: string;

  @ApiPropertyOptional({ description: 'from this instant (inclusive)' })
  @IsOptional()
  @IsInstant()
  from?: string;

  @ApiPropertyOptional({ description: 'until this instant (exclusive)' })
  @IsOptional()
  @IsInstant()
  to?: string;

  @ApiPropertyOptional({ example: 'RectificationTaskVerified' })
  @IsOptional()
  @Matches(/^[A-Za-z]{1,100}$/, { message: 'type must be an event type name' })
  type?: string;

  @ApiPropertyOptional({
    example: '1234',
    description:
      'the entries after this position: the `next` of the page before (keyset paging, as quick on the last page as ' +
      'on the first). Not with `page`, which skips entries by counting them',
  })
  @IsOptional()
  @Matches(/^(0|[1-9][0-9]{0,17})$/, { message: 'after must be the position of an audit entry, as in next' })
  @Validate(NotWithPage)
  after?: string;

  @ApiPropertyOptional({
    description:
      `true: \`total\` counts every matching entry, however many. Otherwise it counts up to ${AUDIT_COUNT_CAP} ` +
      'and `totalExact` says whether that was all of them',
  })
  @IsOptional()
  @Transform(bool)
  @IsBoolean({ message: 'count must be true or false' })
  count?: boolean;
}

export class MinRevisionQueryDto {
  @ApiPropertyOptional({
    description: 'wait until the view shows at least this revision (the one your command answered)',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  minRevision?: number;
}

/** A tree as of an instant, or now once it shows at least the revision of the task asked about. */
export class TreeQueryDto extends AsOfQueryDto {
  @ApiPropertyOptional({
    description: 'wait until the tree shows at least this revision of the task asked about (your command answered it)',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  minRevision?: number;
}

export class LedgerExportQueryDto extends TaskListQueryDto {
  @ApiPropertyOptional({ enum: ['xlsx', 'csv'], default: 'xlsx' })
  @IsOptional()
  @IsIn(['xlsx', 'csv'], { message: 'format must be xlsx or csv' })
  format?: 'xlsx' | 'csv';
}
