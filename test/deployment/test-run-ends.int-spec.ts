import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '../..');
const GRACE_MS = 5_000;

/**
 * What `.ci/run` relies on not to hang: a test run ends, with a failure, when a file's setup failed half-way or
 * a test left something open, and says what was left open. Runs jest on a file that does both
 * (test/support/fixtures/left-open.fixture.ts), as the integration tests are run.
 */
describe('a test run that leaves something open', () => {
  const folder = mkdtempSync(join(tmpdir(), 'zg-run-ends-'));
  const runs: ChildProcess[] = [];
  afterAll(() => {
    for (const run of runs) if (run.exitCode === null) run.kill('SIGKILL');
    rmSync(folder, { recursive: true, force: true });
  });

  function runFixture(...args: string[]): Promise<{ code: number | null; output: string }> {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { projects } = require(join(ROOT, 'jest.config.js')) as { projects: Array<Record<string, unknown>> };
    const integration = projects.find((project) => project.displayName === 'integration')!;
    const config = join(folder, 'jest.fixture.config.json');
    writeFileSync(
      config,
      JSON.stringify({
        ...integration,
        displayName: 'fixture',
        testMatch: ['<rootDir>/test/support/fixtures/left-open.fixture.ts'],
      }),
    );
    const child = spawn(
      process.execPath,
      [join(ROOT, 'node_modules/jest/bin/jest.js'), '--config', config, '--ci', ...args],
      {
        cwd: ROOT,
        env: { ...process.env, ZHENGGAI_TEST_EXIT_GRACE_MS: String(GRACE_MS) },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    runs.push(child);
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    return new Promise((resolve) => child.once('close', (code) => resolve({ code, output })));
  }

  it('ends as failed when every test passed but a server and an interval were left, and names them', async () => {
    const { code, output } = await runFixture('--testNamePattern', 'leaves things open');

    expect(output).toMatch(/Tests:\s+1 skipped, 1 passed/);
    const port = /left open on port (\d+)/.exec(output)![1];
    expect(output).toContain(`the test run did not end ${GRACE_MS / 1000} s after its last test; still open:`);
    expect(output).toContain(`server listening on 127.0.0.1:${port}`);
    expect(output).toMatch(/1 × Timeout/);
    expect(code).toBe(1);
  });

  it('ends as failed when a setup failed after starting an app, and the app was closed after the file', async () => {
    const { code, output } = await runFixture();

    expect(output).toContain('the setup failed after starting an app');
    const appPort = new URL(/app at (\S+)/.exec(output)![1]).port;
    expect(output).toContain('still open:');
    expect(output).not.toContain(`server listening on 127.0.0.1:${appPort}`);
    expect(code).toBe(1);
  });
});
