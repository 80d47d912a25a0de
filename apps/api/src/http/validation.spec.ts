import { ArgumentMetadata, ValidationPipe } from '@nestjs/common';
import { QuantityTargetDto } from '../commands/shared.dto';
import { AssignTaskDto } from '../findings/assign-task.dto';
import { FileFindingDto } from '../findings/file-finding.dto';
import { ReportProgressDto } from '../tasks/task-lifecycle.dto';
import { createValidationPipe } from './validation';
import { ProblemException } from './problem-details';

/** What a person sending a malformed body reads in the 400. */
async function refusal(body: unknown, metatype: ArgumentMetadata['metatype']) {
  try {
    await createValidationPipe().transform(body, { type: 'body', metatype });
  } catch (error) {
    if (error instanceof ProblemException)
      return error.problem as { field: string; detail: string; errors: Array<{ field: string; message: string }> };
    throw error;
  }
  throw new Error('the body was accepted');
}

describe('the validation of request bodies', () => {
  it(
    'says what kind of value a field takes when the value is of the wrong ' + 'kind, not a range it also misses',
    async () => {
      const problem = await refusal({ quantityDone: 'lots' }, ReportProgressDto);
      expect(problem.field).toBe('quantityDone');
      expect(problem.errors).toEqual([
        { field: 'quantityDone', message: 'quantityDone must be a number with at most 4 decimal places' },
      ]);
    },
  );

  it('names a text field given a number as needing a string', async () => {
    const problem = await refusal(
      { title: 42, regionId: '00000000-0000-4000-8000-000000000000', category: 'roads', severity: 'low' },
      FileFindingDto,
    );
    expect(problem.errors).toEqual([{ field: 'title', message: 'title must be a string' }]);
  });

  it('gives every rule a value of the right kind breaks', async () => {
    const problem = await refusal({ quantityDone: -1, note: 'x'.repeat(4001) }, ReportProgressDto);
    expect(problem.errors).toEqual([
      { field: 'quantityDone', message: 'quantityDone must not be less than 0' },
      { field: 'note', message: 'note must be shorter than or equal to 4000 characters' },
    ]);
    expect(problem.detail).toBe(
      'quantityDone must not be less than 0; note must be shorter than or equal to 4000 characters',
    );
  });

  it('names nested fields by their path', async () => {
    const problem = await refusal({ quantityDone: 1, evidence: [{ ref: 5 }] }, ReportProgressDto);
    expect(problem.errors).toEqual([{ field: 'evidence.0.ref', message: 'ref must be a string' }]);
  });

  it("skips Nest's walks for gaps, prototype keys and binary values on plain JSON, and only there", async () => {
    const walks = (['closeArrayGaps', 'stripProtoKeys', 'findNestedBinaryValues'] as const).map((name) =>
      jest.spyOn(ValidationPipe.prototype as unknown as Record<typeof name, () => unknown>, name),
    );
    const called = () => walks.map((walk) => walk.mock.calls.length > 0);
    const pipe = createValidationPipe();
    try {
      const parsed: unknown = JSON.parse('{"quantityDone":1,"note":"过半","evidence":[{"ref":"photos/1.jpg"}]}');
      await pipe.transform(parsed, { type: 'body', metatype: ReportProgressDto });
      expect(called()).toEqual([false, false, false]);

      const withBytes = { quantityDone: 1, note: '过半', evidence: [{ ref: 'photos/1.jpg', bytes: Buffer.from('x') }] };
      await expect(pipe.transform(withBytes, { type: 'body', metatype: ReportProgressDto })).rejects.toThrow();
      expect(called()).toEqual([true, true, true]);

      // The flag is the transform's own: the next plain body is back to the short way.
      walks.forEach((walk) => walk.mockClear());
      await pipe.transform(parsed, { type: 'body', metatype: ReportProgressDto });
      expect(called()).toEqual([false, false, false]);
    } finally {
      walks.forEach((walk) => walk.mockRestore());
    }
  });

  it('a plain JSON body gives the same command object as before, nested objects as their classes', async () => {
    const body: unknown = JSON.parse(
      '{"unitId":"00000000-0000-4000-8000-000000000000","deadline":"2026-12-31","measures":"整改",' +
        '"target":{"quantity":10,"unit":"户"}}',
    );
    const dto = await createValidationPipe().transform(body, { type: 'body', metatype: AssignTaskDto });
    expect(dto).toBeInstanceOf(AssignTaskDto);
    expect((dto as AssignTaskDto).target).toBeInstanceOf(QuantityTargetDto);
    expect(dto).toMatchObject({ unitId: '00000000-0000-4000-8000-000000000000', target: { quantity: 10, unit: '户' } });
  });
});
