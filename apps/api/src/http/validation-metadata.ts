import { getMetadataStorage } from 'class-validator';

type Storage = ReturnType<typeof getMetadataStorage>;
type ValidationMetadata = ReturnType<Storage['getTargetValidationMetadatas']>[number];
type Grouped = ReturnType<Storage['groupByPropertyName']>;

const REMEMBERED = Symbol('zhenggai: validation metadata remembered');

/**
 * Makes class-validator remember, for each request class, the rules it looks up on every validation. It looks them up
 * anew for each object it validates (the body and each nested object), filtering its rules and walking every
 * decorated class for the ones inherited: under the write benchmark (issue 22) a fiftieth of the API's CPU, for an
 * answer that only changes when a class is decorated. Anything added to the storage (a class loaded later) forgets
 * what was remembered. Idempotent; the answers are the storage's own, so validation is unchanged.
 */
export function rememberValidationMetadata(storage: Storage = getMetadataStorage()): void {
  const own = storage as Storage & { [REMEMBERED]?: true };
  if (own[REMEMBERED]) return;
  own[REMEMBERED] = true;

  let targets = new Map<unknown, Map<string, ValidationMetadata[]>>();
  let grouped = new WeakMap<ValidationMetadata[], Grouped>();
  const forget = () => {
    targets = new Map();
    grouped = new WeakMap();
  };

  const lookUp = storage.getTargetValidationMetadatas.bind(storage);
  storage.getTargetValidationMetadatas = (target, schema, always, strictGroups, groups) => {
    const key = `${schema}\u0000${always}\u0000${strictGroups}\u0000${groups?.join('\u0001') ?? ''}`;
    let byOptions = targets.get(target);
    if (!byOptions) targets.set(target, (byOptions = new Map()));
    let found = byOptions.get(key);
    if (!found) byOptions.set(key, (found = lookUp(target, schema, always, strictGroups, groups)));
    return found;
  };

  const group = storage.groupByPropertyName.bind(storage);
  storage.groupByPropertyName = (metadata) => {
    let found = grouped.get(metadata);
    if (!found) grouped.set(metadata, (found = group(metadata)));
    return found;
  };

  for (const method of ['addValidationMetadata', 'addConstraintMetadata', 'addValidationSchema'] as const) {
    const add = (storage[method] as (...args: unknown[]) => void).bind(storage);
    (storage as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
      forget();
      add(...args);
    };
  }
}
