import { DuplicateError, RuleViolationError, ValidationError, type RectificationTaskCommand } from '@zhenggai/domain';

/** The domain's name of a field (dotted) → the request's, for one command. */
export type RequestFieldNames = Readonly<Record<string, string>>;

/**
 * Where a command's HTTP request names a field otherwise than the domain command it maps to (the controllers map
 * request → command): the one table that maps back, so that a refusal names the field the client sent.
 */
export const REQUEST_FIELD_NAMES: Partial<Record<RectificationTaskCommand['type'], RequestFieldNames>> = {
  AssignRectificationTask: {
    leadUnitId: 'unitId',
    'campaign.campaignId': 'campaignId',
    'campaign.deadline': 'campaignId',
  },
  ReassignRectificationTask: { leadUnitId: 'unitId' },
  RequestDeadlineExtension: { requestedDeadline: 'deadline' },
};

/** The refusal as the request would word it: its field (and the field's name in its message) renamed. */
export function inRequestTerms(error: unknown, names: RequestFieldNames | undefined): unknown {
  if (
    !names ||
    !(error instanceof ValidationError || error instanceof RuleViolationError || error instanceof DuplicateError) ||
    error.field === undefined
  ) {
    return error;
  }
  const from = Object.keys(names).find((name) => error.field === name || error.field!.startsWith(`${name}.`));
  if (from === undefined) return error;
  const field = names[from] + error.field.slice(from.length);
  const message = error.message.replace(
    new RegExp(`(?<![\\w.])${from.replace(/\./g, '\\.')}(?![\\w])`, 'g'),
    names[from]!,
  );
  if (error instanceof ValidationError) return new ValidationError(field, message, error.code);
  return error instanceof DuplicateError
    ? new DuplicateError(field, message)
    : new RuleViolationError(error.code, message, field);
}

/** Runs a command, its refusals in the request's terms. */
export async function namedAsInTheRequest<T>(names: RequestFieldNames | undefined, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw inRequestTerms(error, names);
  }
}
