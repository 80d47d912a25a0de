import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { webAppDir } from '../../apps/api/src/web/serve-web-app';

/**
 * The first screen's size budget (issue 20): on the phone, the sign-in page and a unit's first screen (待办) load
 * under 300 KB of compressed JavaScript, ECharts not among it (only the cockpit loads it, with its first chart).
 * Counted from the built app's manifest: the entry, the screen's chunk and every chunk they import statically.
 */
const BUDGET = 300 * 1024;

interface Chunk {
  file: string;
  name?: string;
  imports?: string[];
}

describe('web app: the first screen loads under 300 KB of compressed JavaScript', () => {
  const dir = webAppDir();
  const manifest = (): Record<string, Chunk> => {
    if (dir === null) throw new Error('dist/web is missing: run `npm run build` first');
    return JSON.parse(readFileSync(join(dir, '.vite/manifest.json'), 'utf8'));
  };
  /** The JavaScript files a screen loads before it shows: the entry, its view and their static imports. */
  const filesOf = (view: string): string[] => {
    const chunks = manifest();
    const seen = new Set<string>();
    const visit = (key: string) => {
      if (seen.has(key)) return;
      seen.add(key);
      for (const next of chunks[key].imports ?? []) visit(next);
    };
    visit('index.html');
    visit(view);
    return [...seen].map((key) => chunks[key].file).filter((file) => file.endsWith('.js'));
  };

  it.each([
    ['the sign-in page', 'src/views/LoginView.vue'],
    ["a unit's 待办", 'src/views/TodoView.vue'],
  ])('%s', (_, view) => {
    const files = filesOf(view);
    const bytes = files.map((file) => readFileSync(join(dir!, file)));
    const raw = bytes.reduce((sum, b) => sum + b.length, 0);
    const gzipped = bytes.reduce((sum, b) => sum + gzipSync(b).length, 0);
    // The figure README states: `npx jest test/browser/first-screen` prints it.
    console.log(
      `${view}: ${(gzipped / 1024).toFixed(1)} KB gzip (${(raw / 1024).toFixed(1)} KB raw), ${files.join(', ')}`,
    );
    expect(files.some((file) => /echarts|EChart/i.test(file))).toBe(false);
    expect(gzipped).toBeLessThan(BUDGET);
  });

  it('keeps ECharts out of the cockpit page itself: its first chart loads it', () => {
    const files = filesOf('src/views/CockpitView.vue');
    expect(files.some((file) => /EChart/.test(file))).toBe(false);
    expect(Object.keys(manifest()).some((key) => /EChart/.test(key))).toBe(true);
  });
});
