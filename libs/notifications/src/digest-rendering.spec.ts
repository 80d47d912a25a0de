import type { ReminderMessage } from '@zhenggai/application';
import { emailContent } from './email/email-content';
import { sampleReminder } from './testing/sample-reminder';
import { webhookPayload } from './webhook/webhook-payload';

const base = 'https://zhenggai.example.cn/tasks';

/** The digest of 阜南县 on 2030-06-03, as an office's channel is sent it. */
const digest: ReminderMessage = sampleReminder({
  deliveryId: 'digest.2030-06-03.abc',
  taskId: '',
  taskTitle: '每日督办简报',
  level: 'digest',
  levelLabel: '每日督办简报',
  kind: 'digest',
  digest: {
    date: '2030-06-03',
    asOf: '08:30',
    figures: [
      { label: '新增逾期', count: 2, link: `${base}?overdue=true&dueAfter=2030-06-02&dueBefore=2030-06-02` },
      { label: '三天内将逾期', count: 5, link: `${base}?light=yellow` },
      { label: '昨日退回重办', count: 1, link: base },
    ],
  },
  deadline: '2030-06-03',
  daysToDeadline: 0,
  regionName: '阜南县',
  recipientName: '阜南县委督查室',
  link: base,
});

describe('the daily digest in every channel', () => {
  it('is a markdown card with each figure and a link to each (DingTalk, WeCom)', () => {
    // given a digest
    // when it is written for a DingTalk robot and a WeCom robot
    const ding = webhookPayload('dingtalk', digest) as any;
    const wecom = webhookPayload('wecom', digest) as any;
    // then the headline names the digest, the date and the jurisdiction, and every figure has its count and link
    expect(ding.markdown.title).toBe('【每日督办简报】2030-06-03 阜南县');
    for (const text of [ding.markdown.text, wecom.markdown.content]) {
      expect(text).toContain('阜南县委督查室：阜南县截至2030-06-03 08:30的督办情况如下。');
      expect(text).toContain('**新增逾期**：2项');
      expect(text).toContain('**三天内将逾期**：5项');
      expect(text).toContain('**昨日退回重办**：1项');
      expect(text).toContain(`[查看新增逾期](${base}?overdue=true&dueAfter=2030-06-02&dueBefore=2030-06-02)`);
      expect(text).toContain(`[查看三天内将逾期](${base}?light=yellow)`);
      expect(text).not.toContain('查看任务');
    }
  });

  it('is a Feishu post with one link per figure', () => {
    const post = (webhookPayload('feishu', digest) as any).content.post.zh_cn;
    expect(post.title).toBe('【每日督办简报】2030-06-03 阜南县');
    const links = post.content.flat().filter((e: any) => e.tag === 'a');
    expect(links.map((l: any) => l.text)).toEqual(['查看新增逾期', '查看三天内将逾期', '查看昨日退回重办']);
  });

  it('is typed zhenggai.digest with its figures in the generic JSON', () => {
    const json = webhookPayload('json', digest) as any;
    expect(json.type).toBe('zhenggai.digest');
    expect(json.digest).toEqual(digest.digest);
  });

  it('is an e-mail whose subject is the headline and whose body lists the figures and links', () => {
    const mail = emailContent(digest);
    expect(mail.subject).toBe('【每日督办简报】2030-06-03 阜南县');
    expect(mail.text).toContain('新增逾期：2项');
    expect(mail.text).toContain(`查看三天内将逾期：${base}?light=yellow`);
    expect(mail.html).toContain(`<a href="${base}?light=yellow">查看三天内将逾期</a>`);
  });

  it('is addressed to every region when the recipient is not scoped', () => {
    const mail = emailContent({ ...digest, regionName: null, recipientName: '市委领导' });
    expect(mail.subject).toBe('【每日督办简报】2030-06-03 全部地区');
    expect(mail.text).toContain('市委领导：全部地区截至2030-06-03 08:30的督办情况如下。');
  });
});
