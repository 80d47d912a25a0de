import { NotFoundException, PayloadTooLargeException } from '@nestjs/common';
import { StoreUnavailableError, StreamDamagedError } from '@zhenggai/application';
import { RuleViolationError, ValidationError } from '@zhenggai/domain';
import { inRequestTerms, REQUEST_FIELD_NAMES } from '../commands/request-fields';
import { toProblemDetails } from './problem-details';

describe('toProblemDetails', () => {
  it('gives every answer a stable code, the framework’s own ones too', () => {
    expect(toProblemDetails(new NotFoundException('Cannot GET /api/nope'))).toMatchObject({
      status: 404,
      code: 'ROUTE_NOT_FOUND',
    });
    expect(toProblemDetails(new NotFoundException('no such thing'))).toMatchObject({ status: 404, code: 'NOT_FOUND' });
    expect(toProblemDetails(new PayloadTooLargeException())).toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
    expect(toProblemDetails(new Error('a defect'))).toMatchObject({
      status: 500,
      code: 'INTERNAL_ERROR',
      detail: 'an unexpected error occurred',
    });
  });

  it(
    'answers 503 with a time to try again when a store does not answer, ' + 'whether the adapter said so or the driver',
    () => {
      const expected = { status: 503, code: 'STORE_UNAVAILABLE', retryAfterSeconds: expect.any(Number) };
      expect(toProblemDetails(new StoreUnavailableError('EventStoreDB', new Error('14 UNAVAILABLE')))).toMatchObject(
        expected,
      );
      const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
      expect(toProblemDetails(refused)).toMatchObject({ ...expected, detail: expect.stringContaining('PostgreSQL') });
      expect(
        toProblemDetails(
          Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' }),
        ),
      ).toMatchObject(expected);
      expect(toProblemDetails(new Error('timeout exceeded when trying to connect'))).toMatchObject(expected);
      // A query that is wrong is not an outage.
      expect(toProblemDetails(Object.assign(new Error('syntax error'), { code: '42601' }))).toMatchObject({
        status: 500,
        code: 'INTERNAL_ERROR',
      });
    },
  );

  it('says a damaged stream is damaged and how to verify it', () => {
    const problem = toProblemDetails(new StreamDamagedError('rectificationTask-1', '5', '4'));
    expect(problem).toMatchObject({
      status: 500,
      code: 'STREAM_DAMAGED',
      streamName: 'rectificationTask-1',
      verify: 'GET /api/audit/verify?stream=rectificationTask-1',
    });
    expect(problem.detail).toContain('records revision 5, but its last event is at 4');
  });
});

describe('refusals in the request’s terms', () => {
  it('renames the domain’s field, in the field and in the message, for the command that calls it otherwise', () => {
    const renamed = inRequestTerms(
      new RuleViolationError('SAME_LEAD_UNIT', 'leadUnitId already leads', 'leadUnitId'),
      REQUEST_FIELD_NAMES.ReassignRectificationTask,
    );
    expect(renamed).toMatchObject({ code: 'SAME_LEAD_UNIT', field: 'unitId', message: 'unitId already leads' });
    const date = inRequestTerms(
      new ValidationError('requestedDeadline', 'requestedDeadline must be a calendar date YYYY-MM-DD'),
      REQUEST_FIELD_NAMES.RequestDeadlineExtension,
    );
    expect(date).toMatchObject({ field: 'deadline', message: 'deadline must be a calendar date YYYY-MM-DD' });
    expect(
      inRequestTerms(new ValidationError('campaign.deadline', 'x'), REQUEST_FIELD_NAMES.AssignRectificationTask),
    ).toMatchObject({ field: 'campaignId' });
    const untouched = new ValidationError('reason', 'reason is required');
    expect(inRequestTerms(untouched, REQUEST_FIELD_NAMES.ReassignRectificationTask)).toBe(untouched);
  });
});
