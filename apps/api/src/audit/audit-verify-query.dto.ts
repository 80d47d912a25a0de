import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length, Matches } from 'class-validator';

export class AuditVerifyQueryDto {
  @ApiPropertyOptional({
    example: 'rectificationTask-7f1c2a9e-4a7b-4f3e-9d61-2b8f1e0c5a10',
    description: 'the stream to check (as in the audit); without it, every stream of the store',
  })
  @IsOptional()
  @IsString()
  @Length(3, 200)
  @Matches(/^[A-Za-z][A-Za-z0-9]*-\S+$/, {
    message: 'stream must be a stream name, category-id, e.g. rectificationTask-<uuid>',
  })
  stream?: string;
}
