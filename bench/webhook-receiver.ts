import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';

/**
 * A webhook receiver in a process of its own, as a robot gateway is on another machine: it answers each POST with 200
 * and tells its parent what arrived (the fields of the JSON body the benchmarks read, and the instant), in batches a
 * few times a second, so the process measured spends nothing on receiving: not even on parsing whole messages again.
 * A `json-batch` request (`type: 'zhenggai.batch'`) is told as the messages it carries, each arrived at its instant.
 * Started by `webhookReceiver` (reminder-benchmark.ts).
 */
const arrivals: Array<{ body: Record<string, unknown>; at: number }> = [];
/** What the benchmarks read of a message. */
const READ = ['type', 'deliveryId', 'taskId', 'recordedAt'] as const;
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const at = Date.now();
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
    const messages = body.type === 'zhenggai.batch' ? (body.messages as Array<Record<string, unknown>>) : [body];
    for (const message of messages)
      arrivals.push({ body: Object.fromEntries(READ.map((field) => [field, message[field]])), at });
    res.writeHead(200).end('{}');
  });
});
const flush = () => {
  if (arrivals.length > 0) process.send!({ arrivals: arrivals.splice(0) });
};
const timer = setInterval(flush, 50);
process.on('message', (message: { close?: boolean }) => {
  if (!message.close) return;
  clearInterval(timer);
  server.close(() => {
    flush();
    process.send!({ closed: true }, () => process.exit(0));
  });
});
server.listen(0, '127.0.0.1', () => process.send!({ port: (server.address() as AddressInfo).port }));
