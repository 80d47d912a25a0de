import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * One home per rule (issue 17): a rule the code states in several places drifts apart, so each of these is
 * written once, and its telltale text may stand in its home only. Tests and the browser app (which formats
 * dates with Intl and decides nothing) are not scanned: a test states the rule on its own to check it.
 */
const ROOT = join(__dirname, '..', '..');
const SCANNED = ['apps', 'libs', 'scripts', 'bench'];
const NOT_SCANNED = [
  /(^|\/)node_modules\//,
  /(^|\/)dist\//,
  /^apps\/web\//,
  /\.(spec|int-spec|e2e-spec|faults-spec)\.ts$/,
];

interface RuleHome {
  readonly rule: string;
  readonly home: string;
  readonly telltales: readonly RegExp[];
}

const HOMES: readonly RuleHome[] = [
  {
    rule: 'region reach, in TypeScript (a region lies within a subtree when the root is on its path)',
    home: 'libs/application/src/jurisdiction/jurisdiction.ts',
    telltales: [/\.path(\s*\?\?\s*\[\]\))?\.includes\(/, /\.includes\(\s*\w+\??\.regionScopeId\s*\)/],
  },
  {
    rule: 'region and unit reach, in SQL (regions.path, a task row and its cooperating units)',
    home: 'libs/read-models/src/queries/reach.sql.ts',
    telltales: [/ANY\(\s*(\w+\.)?path\s*\)/, /ANY\([^)]*cooperating_unit_ids\s*\)/],
  },
  {
    rule: 'a date as instants of Asia/Shanghai, in TypeScript (due at the end of the day)',
    home: 'libs/domain/src/shared/local-date.ts',
    telltales: [/(Date\.parse|new Date)\(\s*`[^`]*\+08:00`/],
  },
  {
    rule: 'a date as instants of Asia/Shanghai, in SQL (due at the end of the day)',
    home: 'libs/read-models/src/queries/local-date.sql.ts',
    telltales: [/AT TIME ZONE\s+'Asia\/Shanghai'/i],
  },
];

function sourceFiles(): Array<{ path: string; text: string }> {
  const files: Array<{ path: string; text: string }> = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      const path = relative(ROOT, full);
      if (NOT_SCANNED.some((pattern) => pattern.test(entry.isDirectory() ? `${path}/` : path))) continue;
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts')) files.push({ path, text: readFileSync(full, 'utf8') });
    }
  };
  for (const dir of SCANNED) walk(join(ROOT, dir));
  return files;
}

describe('one home per rule', () => {
  const files = sourceFiles();

  it('scans the source tree', () => {
    expect(files.length).toBeGreaterThan(100);
  });

  describe.each(HOMES)('$rule', ({ home, telltales }) => {
    it(`is written in ${home}`, () => {
      const text = files.find((f) => f.path === home)?.text ?? '';
      expect({ home, written: telltales.some((telltale) => telltale.test(text)) }).toEqual({ home, written: true });
    });

    it('is written nowhere else', () => {
      const elsewhere = files
        .filter((f) => f.path !== home)
        .flatMap((f) => f.text.split('\n').map((line, i) => ({ at: `${f.path}:${i + 1}`, line })))
        .filter(({ line }) => telltales.some((telltale) => telltale.test(line)))
        .map(({ at, line }) => `${at}: ${line.trim()}`);
      expect(elsewhere).toEqual([]);
    });
  });
});
