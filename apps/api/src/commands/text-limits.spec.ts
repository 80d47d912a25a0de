import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { getMetadataStorage } from 'class-validator';
import { TEXT_MAX_LENGTH } from '@zhenggai/domain';
import { LaunchCampaignDto } from '../campaigns/launch-campaign.dto';
import {
  CreateCategoryDto,
  CreateRegionDto,
  CreateUnitDto,
  CreateUserDto,
  RenameDto,
  UpdateUnitDto,
} from '../directory/directory.dto';
import { AssignTaskDto } from '../findings/assign-task.dto';
import { FileFindingDto } from '../findings/file-finding.dto';
import { ReasonDto, RecordPlanDto, ReportProgressDto, SubmitDto, VerifyDto } from '../tasks/task-lifecycle.dto';
import { createValidationPipe } from '../http/validation';

type Schema = { properties?: Record<string, { maxLength?: number; minLength?: number }> };

const DTOS = [
  SubmitDto,
  RecordPlanDto,
  ReportProgressDto,
  VerifyDto,
  ReasonDto,
  FileFindingDto,
  AssignTaskDto,
  LaunchCampaignDto,
  CreateRegionDto,
  CreateUnitDto,
  CreateUserDto,
  RenameDto,
  UpdateUnitDto,
  CreateCategoryDto,
];

@Module({})
class NoRoutes {}

/** The OpenAPI document the API serves, for these DTOs. */
async function openApiSchemas(): Promise<Record<string, Schema>> {
  const app = await NestFactory.create(NoRoutes, new FastifyAdapter(), { logger: false });
  try {
    const document = SwaggerModule.createDocument(app, new DocumentBuilder().build(), { extraModels: DTOS });
    return document.components!.schemas as Record<string, Schema>;
  } finally {
    await app.close();
  }
}

/** The `Length` rule class-validator applies to a DTO's field: [min, max]. */
function lengthRule(dto: new () => object, field: string): [number, number] | undefined {
  const rule = getMetadataStorage()
    .getTargetValidationMetadatas(dto, '', true, false)
    .find((m) => m.propertyName === field && m.name === 'isLength');
  return rule?.constraints as [number, number] | undefined;
}

describe('the length limits of request bodies', () => {
  let schemas: Record<string, Schema>;
  beforeAll(async () => {
    schemas = await openApiSchemas();
  });

  it(
    "are the domain's for a submission's report: the validator and the " + 'OpenAPI document both say TEXT_MAX_LENGTH',
    async () => {
      expect(lengthRule(SubmitDto, 'report')).toEqual([1, TEXT_MAX_LENGTH]);
      expect(schemas.SubmitDto.properties!.report).toMatchObject({ minLength: 1, maxLength: TEXT_MAX_LENGTH });

      const evidence = [{ ref: 'photo-2018-07-14-001.jpg' }];
      const pipe = createValidationPipe();
      await expect(
        pipe.transform({ report: '报'.repeat(TEXT_MAX_LENGTH), evidence }, { type: 'body', metatype: SubmitDto }),
      ).resolves.toBeDefined();
      await expect(
        pipe.transform({ report: '报'.repeat(TEXT_MAX_LENGTH + 1), evidence }, { type: 'body', metatype: SubmitDto }),
      ).rejects.toMatchObject({
        problem: { field: 'report' },
      });
    },
  );

  it.each(DTOS.map((dto) => [dto.name, dto] as const))('%s documents every length it checks', (name, dto) => {
    const properties = schemas[name].properties ?? {};
    const checked = Object.keys(properties).filter((field) => lengthRule(dto, field));
    expect(checked.length).toBeGreaterThan(0);
    for (const field of checked) {
      const [min, max] = lengthRule(dto, field)!;
      expect({ field, minLength: properties[field].minLength, maxLength: properties[field].maxLength }).toEqual({
        field,
        minLength: min,
        maxLength: max,
      });
    }
  });
});
