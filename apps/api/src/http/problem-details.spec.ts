import { NotFoundException, PayloadTooLargeException } from '@nestjs/common';
import { RuleViolationError, ValidationError } from '@zhenggai/domain';
import { inRequestTerms, REQUEST_FIELD_NAMES } from '../commands/request-fields';
import { toProblemDetails } from './problem-details';

describe('toProblemDetails', () => {
  it('gives every answer a stable code, the framework’s own ones too', () => {
    expect(toProblemDetails(new NotFoundException('Cannot GET /api/nope'))).toMatchObject({ status: 404, code: 'ROUTE_NOT_FOUND' });
    expect(toProblemDetails(new NotFoundException('no such thing'))).toMatchObject({ status: 404, code: 'NOT_FOUND' });
    expect(toProblemDetails(new PayloadTooLargeException())).toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
    expect(toProblemDetails(new Error('a defect'))).toMatchObject({ status: 500, code: 'INTERNAL_ERROR', detail: 'an unexpected error occurred' });
  });
});

describe('refusals in the request’s terms', () => {
  it('renames the domain’s field, in the field and in the message, for the command that calls it otherwise', () => {
    const renamed = inRequestTerms(new RuleViolationError('SAME_LEAD_UNIT', 'leadUnitId already leads', 'leadUnitId'), REQUEST_FIELD_NAMES.ReassignRectificationTask);
    expect(renamed).toMatchObject({ code: 'SAME_LEAD_UNIT', field: 'unitId', message: 'unitId already leads' });
    const date = inRequestTerms(new ValidationError('requestedDeadline', 'requestedDeadline must be a calendar date YYYY-MM-DD'), REQUEST_FIELD_NAMES.RequestDeadlineExtension);
    expect(date).toMatchObject({ field: 'deadline', message: 'deadline must be a calendar date YYYY-MM-DD' });
    expect(inRequestTerms(new ValidationError('campaign.deadline', 'x'), REQUEST_FIELD_NAMES.AssignRectificationTask)).toMatchObject({ field: 'campaignId' });
    const untouched = new ValidationError('reason', 'reason is required');
    expect(inRequestTerms(untouched, REQUEST_FIELD_NAMES.ReassignRectificationTask)).toBe(untouched);
  });
});
