import { ValidationError } from './domain-error';
import { optionalText, TITLE_MAX_LENGTH } from './field-validation';

/** A piece of supporting evidence (佐证材料): a reference to a stored file or document, not its content. */
export interface EvidenceRef {
  /** Where the material is kept (a storage key or URL). */
  readonly ref: string;
  readonly name?: string;
  /** Hex SHA-256 of the content, so that the evidence cannot be swapped unnoticed. */
  readonly sha256?: string;
}

/** The longest evidence reference (a file's key, a document number, a link) the domain accepts. */
export const EVIDENCE_REF_MAX_LENGTH = 500;
const SHA256 = /^[0-9a-f]{64}$/i;

/** Validates a list of evidence references (possibly empty) and normalises it as it is recorded. */
export function requireEvidenceList(value: unknown, field: string): EvidenceRef[] {
  if (!Array.isArray(value)) throw new ValidationError(field, `${field} must be a list`);
  return value.map((item, i) => requireEvidenceRef(item, `${field}[${i}]`));
}

function requireEvidenceRef(value: unknown, field: string): EvidenceRef {
  if (typeof value !== 'object' || value === null)
    throw new ValidationError(field, `${field} must be an evidence reference`);
  const { ref, name, sha256 } = value as Record<string, unknown>;
  const cleanRef = optionalText(ref, `${field}.ref`, EVIDENCE_REF_MAX_LENGTH);
  if (cleanRef === '') throw new ValidationError(`${field}.ref`, `${field}.ref is required`);
  const evidence: { ref: string; name?: string; sha256?: string } = { ref: cleanRef };
  const cleanName = optionalText(name, `${field}.name`, TITLE_MAX_LENGTH);
  if (cleanName !== '') evidence.name = cleanName;
  if (sha256 !== undefined && sha256 !== null) {
    if (typeof sha256 !== 'string' || !SHA256.test(sha256)) {
      throw new ValidationError(`${field}.sha256`, `${field}.sha256 must be 64 hexadecimal digits`);
    }
    evidence.sha256 = sha256.toLowerCase();
  }
  return evidence;
}
