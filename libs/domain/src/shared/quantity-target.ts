import { ValidationError } from './domain-error';
import { requirePositiveNumber, requireText, UNIT_MAX_LENGTH } from './field-validation';

/** A quantitative target, e.g. `{ quantity: 217, unit: '户' }` or `{ quantity: 20.32, unit: 'km' }`. */
export interface QuantityTarget {
  readonly quantity: number;
  readonly unit: string;
}

export function nullableQuantityTarget(value: unknown, field: string): QuantityTarget | null {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'object') throw new ValidationError(field, `${field} must be { quantity, unit }`);
  const { quantity, unit } = value as Record<string, unknown>;
  return {
    quantity: requirePositiveNumber(quantity, `${field}.quantity`),
    unit: requireText(unit, `${field}.unit`, UNIT_MAX_LENGTH),
  };
}
