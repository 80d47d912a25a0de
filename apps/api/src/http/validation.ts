import { ArgumentMetadata, ValidationError as ClassValidatorError, ValidationPipe } from '@nestjs/common';
import { inspectInput } from './hostile-input';
import { ProblemDetails, ProblemException } from './problem-details';
import { rememberValidationMetadata } from './validation-metadata';

/**
 * The constraints that say what kind of value a field takes. When one of them fails, the field's other
 * failures (a length, a range, a pattern) follow from it and would only mislead: "quantityDone must not be
 * greater than 1000000000000" for `"quantityDone": "lots"`.
 */
const KIND_CONSTRAINTS = new Set([
  'isString',
  'isNumber',
  'isInt',
  'isBoolean',
  'isArray',
  'isObject',
  'isUuid',
  'isIn',
  'isEnum',
  'isQuantity',
  'isLocalDate',
  'isInstant',
  'isDateString',
  'isIso8601',
  'nestedValidation',
  'whitelistValidation',
]);

/**
 * Flatten class-validator's tree into `{ field: 'target.quantity', message }` pairs: for each field, what kind
 * of value it takes if that is what is wrong, else every rule it breaks.
 */
export function flattenValidationErrors(
  errors: ClassValidatorError[],
  prefix = '',
): Array<{ field: string; message: string }> {
  return errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    const failed = Object.entries(error.constraints ?? {});
    const kind = failed.filter(([name]) => KIND_CONSTRAINTS.has(name));
    const own = (kind.length > 0 ? kind : failed).map(([, message]) => ({ field, message }));
    return [...own, ...flattenValidationErrors(error.children ?? [], field)];
  });
}

/**
 * class-validator's pipe, after two rules of our own for every body, query and path parameter: a body is a
 * JSON object (not an array, a string, a number or null: `null` would otherwise pass as `{}` and execute a
 * command without fields), and nothing hostile (too deep, prototype keys, NUL) reaches class-transformer.
 *
 * The walk that looks for hostile input also says whether the value is plain JSON data (`inspectInput`). For such a
 * value, Nest's pipe would walk it three more times for what cannot be there: gaps in arrays, prototype keys (refused
 * already) and binary values. Those walks are skipped for it (a twentieth of the pipe's time on a command); any other
 * value gets them all.
 */
export class RequestValidationPipe extends ValidationPipe {
  /** True only while `super.transform` runs its synchronous first part on a value found to be plain JSON. */
  private plainJson = false;

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    let plainJson = false;
    if (metadata.type === 'body' || metadata.type === 'query' || metadata.type === 'param') {
      const root = metadata.data ?? metadata.type;
      // No body at all (or an empty one of another content type) is a command without fields.
      const absent = value === undefined || value === '';
      if (
        metadata.type === 'body' &&
        !metadata.data &&
        !absent &&
        (value === null || typeof value !== 'object' || Array.isArray(value))
      ) {
        throw ProblemException.badRequest(
          'body',
          'the request body must be a JSON object (Content-Type: application/json)',
          'BODY_NOT_AN_OBJECT',
        );
      }
      const inspection = inspectInput(value, root);
      if (inspection.fault) throw ProblemException.badRequest(inspection.fault.field, inspection.fault.message);
      if (metadata.type === 'body' && absent) return super.transform(undefined, metadata);
      plainJson = inspection.plainJson;
    }
    // The parent's gap, prototype-key and binary walks all come before its first `await`: the flag is set for them
    // alone, and never seen by another request's transform.
    this.plainJson = plainJson;
    try {
      return super.transform(value, metadata);
    } finally {
      this.plainJson = false;
    }
  }

  protected override closeArrayGaps(value: unknown): void {
    if (!this.plainJson) super.closeArrayGaps(value);
  }

  protected override stripProtoKeys(value: unknown): void {
    if (!this.plainJson) super.stripProtoKeys(value);
  }

  protected override findNestedBinaryValues(
    object: unknown,
    metadataCache?: Map<unknown, unknown[]>,
  ): ClassValidatorError[] {
    return this.plainJson ? [] : super.findNestedBinaryValues(object, metadataCache);
  }
}

export function createValidationPipe(): ValidationPipe {
  rememberValidationMetadata();
  return new RequestValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    // Every rule of a field is checked, so that the answer can name the one that matters (see above):
    // class-validator's first is the decorator written last, often a range or a length.
    stopAtFirstError: false,
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
