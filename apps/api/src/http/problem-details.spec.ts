import { NotFoundException, PayloadTooLargeException } from '@nestjs/common';
import { toProblemDetails } from './problem-details';

describe('toProblemDetails', () => {
  it('gives every answer a stable code, the framework’s own ones too', () => {
    expect(toProblemDetails(new NotFoundException('Cannot GET /api/nope'))).toMatchObject({ status: 404, code: 'ROUTE_NOT_FOUND' });
    expect(toProblemDetails(new NotFoundException('no such thing'))).toMatchObject({ status: 404, code: 'NOT_FOUND' });
    expect(toProblemDetails(new PayloadTooLargeException())).toMatchObject({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
    expect(toProblemDetails(new Error('a defect'))).toMatchObject({ status: 500, code: 'INTERNAL_ERROR', detail: 'an unexpected error occurred' });
  });
});
