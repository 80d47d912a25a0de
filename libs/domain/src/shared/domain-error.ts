/**
 * Typed refusals. Each kind maps to one HTTP status in one place (the API's problem-details filter):
 * validation 400, forbidden 403, not-found 404, illegal-transition 409, duplicate 409, rule-violation 422,
 * concurrency 412.
 */
export type DomainErrorKind =
  'validation' | 'forbidden' | 'not-found' | 'illegal-transition' | 'duplicate' | 'rule-violation' | 'concurrency';

export abstract class DomainError extends Error {
  abstract readonly kind: DomainErrorKind;
  /** A stable machine-readable code, e.g. `EXTENSION_AFTER_DEADLINE`. */
  readonly code: string;

  protected constructor(code: string, message: string) {
    super(message);
    this.code = code;
    this.name = new.target.name;
  }
}

/** Input that is malformed or missing; `field` names the offending field (dotted path). */
export class ValidationError extends DomainError {
  readonly kind = 'validation' as const;
  constructor(
    readonly field: string,
    message: string,
    code = 'INVALID_FIELD',
  ) {
    super(code, message);
  }
}

/** The actor may not do this (wrong role, not its unit's task, signing off its own work...). */
export class ForbiddenError extends DomainError {
  readonly kind = 'forbidden' as const;
  constructor(code: string, message: string) {
    super(code, message);
  }
}

export class NotFoundError extends DomainError {
  readonly kind = 'not-found' as const;
  constructor(
    readonly entity: string,
    readonly id: string,
  ) {
    super('NOT_FOUND', `${entity} ${id} was not found`);
  }
}

/** The command is not allowed in the current status (e.g. verifying a task that was never submitted). */
export class IllegalTransitionError extends DomainError {
  readonly kind = 'illegal-transition' as const;
  constructor(
    readonly command: string,
    readonly status: string,
    message?: string,
  ) {
    super('ILLEGAL_TRANSITION', message ?? `${command} is not allowed while the task is ${status}`);
  }
}

/** A business rule is broken (an extension asked after the deadline, progress above the target...). */
export class RuleViolationError extends DomainError {
  readonly kind = 'rule-violation' as const;
  constructor(
    code: string,
    message: string,
    readonly field?: string,
  ) {
    super(code, message);
  }
}

/** The stream moved on since the caller read it (optimistic concurrency). */
export class ConcurrencyError extends DomainError {
  readonly kind = 'concurrency' as const;
  constructor(
    readonly streamName: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super('STALE_REVISION', `stream ${streamName} is at revision ${actual}, expected ${expected}`);
  }
}

/**
 * Something with the same natural key exists already (a region code, a username, a category code); `field` names the
 * key.
 */
export class DuplicateError extends DomainError {
  readonly kind = 'duplicate' as const;
  constructor(
    readonly field: string,
    message: string,
  ) {
    super('DUPLICATE', message);
  }
}
