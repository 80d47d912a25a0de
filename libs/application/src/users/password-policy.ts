import { ValidationError } from '@zhenggai/domain';

const COMMON = new Set([
  'password1234',
  '123456789012',
  'qwertyuiop12',
  'admin1234567',
  'rectify-demo',
  'zhenggai1234',
  '1234567890ab',
  'abcdefghijkl',
]);

/** The shortest and the longest password the policy takes. */
export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 256;

/**
 * A password an admin may set: 12 to 256 characters, at least three kinds among lower case, upper case,
 * digits and others (or 20 characters and more, a passphrase), not containing the username, not a well-known one.
 */
export function checkPasswordPolicy(password: unknown, username: string, field = 'password'): string {
  if (typeof password !== 'string' || password.length < PASSWORD_MIN_LENGTH || password.length > PASSWORD_MAX_LENGTH) {
    throw new ValidationError(
      field,
      `${field} must be ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters`,
      'WEAK_PASSWORD',
    );
  }
  const kinds = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^a-zA-Z0-9]/].filter((re) => re.test(password)).length;
  if (kinds < 3 && password.length < 20) {
    throw new ValidationError(
      field,
      `${field} needs three of: lower case, upper case, digits, other characters (or at least 20 characters)`,
      'WEAK_PASSWORD',
    );
  }
  if (username && password.toLowerCase().includes(username.toLowerCase())) {
    throw new ValidationError(field, `${field} must not contain the username`, 'WEAK_PASSWORD');
  }
  if (COMMON.has(password.toLowerCase()))
    throw new ValidationError(field, `${field} is too well known`, 'WEAK_PASSWORD');
  return password;
}
