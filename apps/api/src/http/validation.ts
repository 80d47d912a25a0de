import { ValidationError as ClassValidatorError, ValidationPipe } from '@nestjs/common';
import { ProblemDetails, ProblemException } from './problem-details';

/** Flatten class-validator's tree into `{ field: 'target.quantity', message }` pairs. */
export function flattenValidationErrors(errors: ClassValidatorError[], prefix = ''): Array<{ field: string; message: string }> {
  return errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...flattenValidationErrors(error.children ?? [], field)];
  });
}

export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    stopAtFirstError: true,
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => {
      const fields = flattenValidationErrors(errors);
      const problem: ProblemDetails = {
        ...ProblemException.badRequest(fields[0]?.field ?? 'body', fields[0]?.message ?? 'invalid request').problem,
        detail: fields.map((f) => f.message).join('; '),
        errors: fields,
      };
      return new ProblemException(problem);
    },
  });
}
