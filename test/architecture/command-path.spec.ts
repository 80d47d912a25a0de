import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * One command path (issue 17): the API and the worker send every state-changing command through the CommandBus to a
 * handler and its use case (libs/application/src/use-cases), which loads, decides and appends. Nothing outside the
 * application layer calls `decideAndAppend` itself. Tests may, to set the scene.
 */
const ROOT = join(__dirname, '..', '..');
const OUTSIDE_THE_APPLICATION_LAYER = [
  'apps',
  'bench',
  'scripts',
  ...['platform', 'read-models'].map((l) => `libs/${l}`),
];

function callersOfDecideAndAppend(dir: string): string[] {
  return (readdirSync(join(ROOT, dir), { recursive: true }) as string[])
    .filter((path) => path.endsWith('.ts') && !/\.(spec|int-spec|e2e-spec)\.ts$/.test(path))
    .filter((path) => !/(^|\/)(node_modules|testing)\//.test(path) && !path.startsWith('web/'))
    .filter((path) => /\bdecideAndAppend\s*\(/.test(readFileSync(join(ROOT, dir, path), 'utf8')))
    .map((path) => `${dir}/${path}`);
}

describe('one command path', () => {
  it('leaves loading, deciding and appending to the use cases: no app calls decideAndAppend', () => {
    expect(OUTSIDE_THE_APPLICATION_LAYER.flatMap(callersOfDecideAndAppend)).toEqual([]);
  });

  it('finds the calls it looks for', () => {
    expect(callersOfDecideAndAppend('libs/application/src/use-cases')).toContain(
      'libs/application/src/use-cases/resolve-finding.ts',
    );
  });
});
