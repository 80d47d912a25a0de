/**
 * `lookUp` answered once per key (for one batch of events: units, regions, accounts as stored when it is handled,
 * read once for all of its events rather than once an event).
 */
export function oncePerKey<T>(lookUp: (key: string) => Promise<T>): (key: string) => Promise<T> {
  const answers = new Map<string, Promise<T>>();
  return (key) => {
    let answer = answers.get(key);
    if (!answer) answers.set(key, (answer = lookUp(key)));
    return answer;
  };
}
