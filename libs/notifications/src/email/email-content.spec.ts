import { sampleReminder } from '../testing/sample-reminder';
import { emailContent } from './email-content';

describe('e-mail content', () => {
  it('puts level, task and lateness in the subject', () => {
    expect(emailContent(sampleReminder({ levelLabel: '催办', daysToDeadline: -1 })).subject).toBe(
      '【催办】蔡郢村危房改造（已逾期1天）',
    );
    expect(emailContent(sampleReminder({ daysToDeadline: 0 })).subject).toBe('【督办】蔡郢村危房改造（今天到期）');
  });

  it('gives the facts and the link in plain text', () => {
    const { text } = emailContent(sampleReminder());
    expect(text).toContain('住建局：任务「蔡郢村危房改造」已逾期3天');
    expect(text).toContain('责任单位：蔡郢村村委会\n所属地区：淮南市田家庵区\n整改时限：2025-06-01（已逾期3天）');
    expect(text).toContain('查看任务：https://zhenggai.example.cn/tasks/task-1');
  });

  it('escapes what a user typed in the HTML, link included', () => {
    const { html } = emailContent(
      sampleReminder({ taskTitle: '<script>alert(1)</script>', unitName: 'A & B', link: 'https://x.cn/?a=1&b="2"' }),
    );
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<script>');
    expect(html).toContain('<strong>责任单位</strong>：A &amp; B');
    expect(html).toContain('<a href="https://x.cn/?a=1&amp;b=&quot;2&quot;">查看任务</a>');
  });

  it('keeps a line break typed in a title out of the subject header', () => {
    expect(emailContent(sampleReminder({ taskTitle: '危房\r\nBcc: x@y.cn' })).subject).toBe(
      '【督办】危房 Bcc: x@y.cn（已逾期3天）',
    );
  });
});
