import { createHash } from 'node:crypto';

/** The namespace of our name-based ids (a fixed random UUID). */
const NAMESPACE = Buffer.from('5b0c6a3e9f2d4c1a8e7b0d4f3a2c1b9e', 'hex');

/**
 * A name-based UUID (version 5, RFC 9562): the same kind and name always give the same id. A directory entry
 * with a natural key (a region's code, a username, a category's code) takes its stream's id from it, so two
 * admins adding the same one at once race for one stream and the store lets only one of them create it.
 */
export function nameBasedId(kind: string, name: string): string {
  const hash = createHash('sha1').update(NAMESPACE).update(`${kind}:${name}`, 'utf8').digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
