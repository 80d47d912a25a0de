import { randomUUID } from 'node:crypto';
import { Infrastructure } from '@zhenggai/platform';
import { createApiApp } from '../apps/api/src/create-api-app';
import { signIn } from './notice-benchmark';

/** Preview's target for a 2,000-row file (issue 21). */
const PREVIEW_TARGET_MS = 5_000;

/**
 * The 问题清单 import (issue 21) on the API process: a CSV of `rows` valid rows (each its own problem for 王堰镇,
 * new to the store), previewed, then committed in the background and polled every second until done. Prints the
 * preview's time and the commit's rows and commands per second (each row files a finding and assigns its task: two
 * commands), to set beside the write path's HTTP commands per second (target: at least 0.3 of it). The commit is
 * followed as the web page follows it: its light status once a second, the whole import once it is done.
 */
export async function benchmarkImport(infra: Infrastructure, rows: number): Promise<void> {
  const app = await createApiApp(infra, { logger: ['error'] });
  try {
    await app.listen(0, '127.0.0.1');
    const base = (await app.getUrl()).replace('[::1]', '127.0.0.1');
    const token = await signIn(base, 'inspector');
    const headers = { authorization: `Bearer ${token}` };
    const run = randomUUID().slice(0, 8);
    const deadline = new Date(Date.now() + 120 * 86_400_000).toISOString().slice(0, 10);
    const lines = ['序号,地点,问题类别,问题描述,严重程度,责任单位,整改期限,整改措施'];
    for (let i = 1; i <= rows; i++)
      lines.push(`${i},王堰镇/蔡郢村,危房改造,基准测试${run}第${i}户危房,一般,王堰镇人民政府,${deadline},拆除`);

    const previewStart = performance.now();
    const preview = await fetch(`${base}/api/imports`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'text/csv' },
      body: Buffer.from(lines.join('\r\n'), 'utf8'),
    });
    if (preview.status !== 201) throw new Error(`POST /api/imports: HTTP ${preview.status} ${await preview.text()}`);
    const previewMs = performance.now() - previewStart;
    const { id, counts } = (await preview.json()) as { id: string; counts: { valid: number } };
    if (counts.valid !== rows) throw new Error(`the preview found ${counts.valid} valid rows of ${rows}`);

    const commitStart = performance.now();
    const asked = await fetch(`${base}/api/imports/${id}/commit`, { method: 'POST', headers });
    if (asked.status !== 202) throw new Error(`POST /api/imports/${id}/commit: HTTP ${asked.status}`);
    let status: { status: string; filed: number } | null;
    do {
      await new Promise((resolve) => setTimeout(resolve, 1000)); // as the web page polls: its light status
      status = (
        (await (await fetch(`${base}/api/imports/${id}/status`, { headers })).json()) as {
          commit: typeof status;
        }
      ).commit;
    } while (status?.status !== 'done');
    const seconds = (performance.now() - commitStart) / 1000;
    const commit = (
      (await (await fetch(`${base}/api/imports/${id}`, { headers })).json()) as {
        commit: { rows: Array<{ status: string }> };
      }
    ).commit;
    const filed = commit.rows.filter((row) => row.status === 'filed').length;
    if (filed !== rows) throw new Error(`the commit filed ${filed} rows of ${rows}`);
    const previewText = `preview ${(previewMs / 1000).toFixed(2)} s (target < ${PREVIEW_TARGET_MS / 1000} s)`;
    const rates = `${(rows / seconds).toFixed(1)} rows/s, ${((2 * rows) / seconds).toFixed(1)} commands/s`;
    console.log(
      `问题清单 import of ${rows} rows (the API process): ${previewText}; commit ${seconds.toFixed(1)} s, ${rates} ` +
        "(target ≥ 0.3 of the HTTP write path's commands/s)\n",
    );
  } finally {
    await app.close();
  }
}
