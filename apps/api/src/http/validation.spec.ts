import { ArgumentMetadata } from '@nestjs/common';
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
});
