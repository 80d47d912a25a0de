import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { webAppDir } from './serve-web-app';

describe('where the web app is found', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'zg-webapp-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const built = (...path: string[]) => {
    mkdirSync(join(root, ...path), { recursive: true });
    writeFileSync(join(root, ...path, 'index.html'), '<!doctype html>');
  };

  it('from the compiled API (dist/apps/api/src/web), as npm start, start:api and the image run it: dist/web', () => {
    built('dist', 'web');
    mkdirSync(join(root, 'dist/apps/api/src/web'), { recursive: true });
    expect(webAppDir(join(root, 'dist/apps/api/src/web'))).toBe(join(root, 'dist/web'));
  });

  it('from the sources (apps/api/src/web), as the tests run them: the repository’s dist/web', () => {
    built('dist', 'web');
    mkdirSync(join(root, 'apps/api/src/web'), { recursive: true });
    expect(webAppDir(join(root, 'apps/api/src/web'))).toBe(join(root, 'dist/web'));
  });

  it('nowhere when the web app was not built', () => {
    mkdirSync(join(root, 'dist/apps/api/src/web'), { recursive: true });
    expect(webAppDir(join(root, 'dist/apps/api/src/web'))).toBeNull();
  });
});
