import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The options `npm start` gives node before the all-in-one's script (its heap limit), read from package.json,
 * so that whatever else starts the built all-in-one (the benchmark, the embedded-default test) runs it the same.
 * `root`: the repository's folder.
 */
export function startScriptNodeOptions(root: string): string[] {
  const start: string = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts.start;
  const command = /\bnode\s+((?:--\S+\s+)*)\S*all-in-one/.exec(start);
  if (!command) throw new Error(`package.json: the start script does not run the all-in-one with node: ${start}`);
  return command[1].split(/\s+/).filter(Boolean);
}
