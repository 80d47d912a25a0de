import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * How `npm start` runs the all-in-one — the environment it sets before node (`MALLOC_ARENA_MAX`) and the options it
 * gives node before the script (its heap limit) — read from package.json, so that whatever else starts the built
 * all-in-one (the benchmark, the embedded-default test) runs it the same. `root`: the repository's folder.
 */
export function startScript(root: string): { readonly env: Record<string, string>; readonly nodeOptions: string[] } {
  const start: string = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts.start;
  const command = /(?:^|&&\s*)((?:\w+=\S+\s+)*)node\s+((?:--\S+\s+)*)\S*all-in-one/.exec(start);
  if (!command) throw new Error(`package.json: the start script does not run the all-in-one with node: ${start}`);
  const env = Object.fromEntries(
    command[1]
      .split(/\s+/)
      .filter(Boolean)
      .map((assignment) => [
        assignment.slice(0, assignment.indexOf('=')),
        assignment.slice(assignment.indexOf('=') + 1),
      ]),
  );
  return { env, nodeOptions: command[2].split(/\s+/).filter(Boolean) };
}
