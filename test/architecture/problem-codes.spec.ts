import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROBLEM_SENTENCES } from '../../apps/web/src/problem-sentences';

/**
 * Users read Chinese (issue 20): every problem `code` the server can answer has a Chinese sentence in the web app
 * (apps/web/src/problem-sentences.ts). The codes are collected from the server's source where they are made.
 */
const ROOT = join(__dirname, '..', '..');
const SERVER_SOURCES = ['apps/api/src', 'apps/worker/src', 'apps/all-in-one/src', 'libs'];
/** Fastify's own codes the API passes through for what it refuses before any route runs (sendFrameworkError). */
const FASTIFY_CODES = ['FST_ERR_BAD_URL', 'FST_ERR_MAX_PARAM_LENGTH'];

const CODE = /'([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*)'/g;
/** A call that makes a refusal: `new XxxError(…)`, `super(…)` in an error class, `ProblemException.of(…)` and co. */
const REFUSAL_CALL = /\bnew [A-Z]\w*Error\(|\bsuper\(|\bProblemException\.(?:of|badRequest)\(/g;
/** A code written as a value: `code: 'X'`, a default `code = 'X'`, a status or Fastify code mapped to ours. */
const CODE_VALUE = /\bcode(?:\??: string)? ?[:=] ?'([A-Z][A-Z0-9_]*)'|^\s*(?:\d{3}|FST_ERR_\w+): '([A-Z][A-Z0-9_]*)'/gm;
/** The router's own code: `return 'ROUTE_NOT_FOUND'` where problem details pick a code. */
const CODE_RETURNED = /\breturn '([A-Z][A-Z0-9_]*)'/g;

function sourceFiles(dir: string): string[] {
  return (readdirSync(join(ROOT, dir), { recursive: true }) as string[])
    .filter((path) => path.endsWith('.ts') && !/\.(spec|int-spec|e2e-spec)\.ts$/.test(path))
    .filter((path) => !/(^|\/)(node_modules|testing|dist)\//.test(path))
    .map((path) => join(dir, path));
}

/** The arguments of the call whose opening parenthesis ends at `from`, up to its closing one. */
function callArguments(text: string, from: number): string {
  let depth = 1;
  let at = from;
  while (at < text.length && depth > 0) {
    if (text[at] === '(') depth++;
    else if (text[at] === ')') depth--;
    at++;
  }
  return text.slice(from, at - 1);
}

/** Every code the server source can put in a problem document. */
export function codesInServerSource(dirs = SERVER_SOURCES): Set<string> {
  const codes = new Set<string>();
  for (const file of dirs.flatMap(sourceFiles)) {
    const text = readFileSync(join(ROOT, file), 'utf8');
    for (const call of text.matchAll(REFUSAL_CALL))
      for (const [, code] of callArguments(text, call.index + call[0].length).matchAll(CODE)) codes.add(code);
    for (const [, code, mapped] of text.matchAll(CODE_VALUE)) codes.add(code ?? mapped);
    if (file.includes('problem-details')) for (const [, code] of text.matchAll(CODE_RETURNED)) codes.add(code);
  }
  return codes;
}

describe('problem codes in Chinese', () => {
  const codes = [...codesInServerSource(), ...FASTIFY_CODES];

  it('finds the codes it looks for, and no configuration names', () => {
    expect(codes).toEqual(
      expect.arrayContaining([
        'INVALID_FIELD',
        'DUPLICATE',
        'NOT_FOUND',
        'STALE_REVISION',
        'ILLEGAL_TRANSITION',
        'DEADLINE_IN_PAST',
        'SELF_SIGN_OFF',
        'REGION_LEVEL',
        'WEAK_PASSWORD',
        'UNKNOWN_EVIDENCE',
        'EVIDENCE_HASH_MISMATCH',
        'WRONG_PASSWORD',
        'TOO_MANY_LOGINS',
        'INVALID_IF_MATCH',
        'IDEMPOTENCY_KEY_REUSED',
        'INVALID_UTF8',
        'BODY_NOT_AN_OBJECT',
        'STORE_UNAVAILABLE',
        'STREAM_DAMAGED',
        'ROUTE_NOT_FOUND',
        'HEADERS_TOO_LARGE',
        'MALFORMED_REQUEST',
        'MALFORMED_JSON',
        'CONTENT_LENGTH_MISMATCH',
        'TOO_MANY_REQUESTS',
        'INTERNAL_ERROR',
      ]),
    );
    expect(codes.length).toBeGreaterThan(60);
    for (const notACode of ['JWT_SECRET', 'DATABASE_URL', 'ECONNREFUSED', 'SIGINT', 'BEGIN', 'HS256'])
      expect(codes).not.toContain(notACode);
  });

  it('gives every code the server can answer a Chinese sentence in the web app', () => {
    expect(codes.filter((code) => !PROBLEM_SENTENCES[code]).sort()).toEqual([]);
  });

  it('writes each sentence in Chinese, with no English word a user would have to read', () => {
    const english = Object.entries(PROBLEM_SENTENCES)
      .map(([code, [zh]]) => [code, zh.replace(/\{\w+\}/g, '')])
      .filter(
        ([, zh]) => !/[\u4e00-\u9fff]/.test(zh) || /\b(?!JPG\b|PNG\b|PDF\b|XLSX\b|XLS\b|CSV\b)[A-Za-z]{2,}/.test(zh),
      )
      .map(([code]) => code);
    expect(english).toEqual([]);
  });
});
