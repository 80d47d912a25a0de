import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { sampleReminder } from '../testing/sample-reminder';
import { EmailChannel, messageIdOf } from './email-channel';

/** A plain-text SMTP server on this machine, started per test with the handlers the test needs. */
async function startSmtpServer(
  handlers: Pick<SMTPServerOptions, 'onData' | 'onRcptTo'>,
): Promise<{ url: string; server: SMTPServer }> {
  const server = new SMTPServer({
    secure: false,
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    ...handlers,
  });
  const listener = server.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => listener.once('listening', resolve));
  return { url: `smtp://127.0.0.1:${(listener.address() as AddressInfo).port}`, server };
}

describe('e-mail channel (real SMTP server)', () => {
  let server: SMTPServer | undefined;

  afterEach(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  });

  it('delivers subject, text and HTML with the Chinese intact', async () => {
    const delivered: Array<{ envelopeTo: string[]; mail: ParsedMail }> = [];
    const started = await startSmtpServer({
      onData(stream, session, callback) {
        simpleParser(stream).then(
          (mail) => {
            delivered.push({ envelopeTo: session.envelope.rcptTo.map((rcpt) => rcpt.address), mail });
            callback();
          },
          (error: Error) => callback(error),
        );
      },
    });
    server = started.server;
    const channel = new EmailChannel({ url: started.url, from: '"整改督办" <noreply@zhenggai.example.cn>' });

    await channel.send(
      { kind: 'email', address: 'zhujianju@example.cn' },
      sampleReminder({ levelLabel: '催办', daysToDeadline: -1, taskTitle: '蔡郢村危房改造 <第二批>' }),
    );

    expect(delivered).toHaveLength(1);
    const { envelopeTo, mail } = delivered[0];
    expect(envelopeTo).toEqual(['zhujianju@example.cn']);
    expect(mail.from?.value).toEqual([{ name: '整改督办', address: 'noreply@zhenggai.example.cn' }]);
    expect(mail.to).toMatchObject({ value: [{ address: 'zhujianju@example.cn' }] });
    expect(mail.subject).toBe('【催办】蔡郢村危房改造 <第二批>（已逾期1天）');
    // Sent again (a worker that died before recording the delivery), it is recognisably the same message.
    expect(mail.messageId).toBe(messageIdOf(sampleReminder().deliveryId));
    expect(messageIdOf('notice:任务/1')).toBe('<notice=3a=4efb=52a1=2f1@deliveries.zhenggai>');
    expect(mail.text).toContain('责任单位：蔡郢村村委会');
    expect(mail.text).toContain('整改时限：2025-06-01（已逾期1天）');
    expect(mail.html).toContain('任务「蔡郢村危房改造 &lt;第二批&gt;」已逾期1天');
    expect(mail.html).toContain('<a href="https://zhenggai.example.cn/tasks/task-1">查看任务</a>');
  });

  it('throws when the server rejects the recipient', async () => {
    const started = await startSmtpServer({
      onRcptTo(_address, _session, callback) {
        callback(Object.assign(new Error('无此用户'), { responseCode: 550 }));
      },
    });
    server = started.server;
    const channel = new EmailChannel({ url: started.url, from: 'noreply@zhenggai.example.cn' });

    await expect(channel.send({ kind: 'email', address: 'nobody@example.cn' }, sampleReminder())).rejects.toThrow(
      /550/,
    );
  });
});
