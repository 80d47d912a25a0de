import type { FastifyInstance } from 'fastify';
import secureJson from 'secure-json-parse';
import { findHostileInput } from './hostile-input';
import { ProblemException } from './problem-details';

/** Refuses bytes that are not UTF-8, rather than reading them as U+FFFD and storing that in their place. */
const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Our own JSON parser, so that a body that is not JSON is refused as a problem naming the body, and an empty body
 * counts as `{}` (a command without fields, such as accept). The body is read as bytes and decoded strictly,
 * whether it came with a Content-Length or chunked: Fastify's string reading would quietly replace invalid UTF-8.
 * secure-json-parse refuses prototype poisoning; the refusal names the key that poisons, where it is.
 */
export function registerJsonBodyParser(fastify: FastifyInstance): void {
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, bytes, done) => {
    let text: string;
    try {
      text = UTF8.decode(bytes as Buffer);
    } catch {
      done(ProblemException.badRequest('body', 'the request body is not valid UTF-8', 'INVALID_UTF8'), undefined);
      return;
    }
    try {
      done(
        null,
        text === '' ? {} : secureJson.parse(text, undefined, { protoAction: 'error', constructorAction: 'error' }),
      );
    } catch (error) {
      const poisoned = error instanceof SyntaxError && error.message.includes('forbidden prototype property');
      done(
        poisoned
          ? poisonedKey(text)
          : ProblemException.badRequest('body', 'the request body is not valid JSON', 'MALFORMED_JSON'),
        undefined,
      );
    }
  });
}

/** The refusal of a body with a `__proto__` or `constructor.prototype` key, naming that key as the body has it. */
function poisonedKey(text: string): ProblemException {
  // JSON.parse keeps `__proto__` as an own property and touches no prototype: safe to walk for the key's path.
  const fault = findHostileInput(JSON.parse(text), 'body');
  const rule = 'a body may not contain `__proto__` or `constructor.prototype` keys';
  return ProblemException.badRequest(
    fault?.field ?? 'body',
    fault ? `${fault.message}: ${rule}` : rule,
    'FORBIDDEN_KEY',
  );
}
