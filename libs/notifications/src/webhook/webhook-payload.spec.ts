import { createHmac } from 'node:crypto';
import { sampleReminder } from '../testing/sample-reminder';
import { truncateUtf8, webhookPayload, webhookRequest, WECOM_MARKDOWN_MAX_BYTES } from './webhook-payload';

type Markdown = { msgtype: string; markdown: { title?: string; text?: string; content?: string } };
type FeishuPost = {
  msg_type: string;
  timestamp?: string;
  sign?: string;
  content: { post: { zh_cn: { title: string; content: Array<Array<Record<string, string>>> } } };
};

const message = sampleReminder();
const now = new Date('2025-06-04T01:02:03.456Z');

describe('webhook payloads', () => {
  it('json: the whole message under a stable type, for receivers of our own', () => {
    expect(webhookPayload('json', message)).toEqual({ type: 'zhenggai.reminder', ...message });
  });

  it('dingtalk: a markdown message titled with level, task and how late it is', () => {
    const body = webhookPayload('dingtalk', message) as Markdown;
    expect(body.msgtype).toBe('markdown');
    expect(body.markdown.title).toBe('【督办】蔡郢村危房改造 已逾期3天');
    expect(body.markdown.text).toContain('#### 【督办】蔡郢村危房改造 已逾期3天');
    expect(body.markdown.text).toContain('**责任单位**：蔡郢村村委会');
    expect(body.markdown.text).toContain('**所属地区**：淮南市田家庵区');
    expect(body.markdown.text).toContain('**整改时限**：2025-06-01（已逾期3天）');
    expect(body.markdown.text).toContain('住建局：任务「蔡郢村危房改造」已逾期3天');
    expect(body.markdown.text).toMatch(/\[查看任务\]\(https:\/\/zhenggai\.example\.cn\/tasks\/task-1\)$/);
  });

  it('wecom: a markdown message in `content`', () => {
    const body = webhookPayload('wecom', message) as Markdown;
    expect(body.msgtype).toBe('markdown');
    expect(body.markdown.content).toContain('#### 【督办】蔡郢村危房改造 已逾期3天\n');
    expect(body.markdown.content).toContain('**整改时限**：2025-06-01（已逾期3天）');
  });

  it('feishu: a rich-text post whose link is an element of its own', () => {
    const body = webhookPayload('feishu', message) as FeishuPost;
    expect(body.msg_type).toBe('post');
    const post = body.content.post.zh_cn;
    expect(post.title).toBe('【督办】蔡郢村危房改造 已逾期3天');
    expect(post.content).toContainEqual([{ tag: 'text', text: '责任单位：蔡郢村村委会' }]);
    expect(post.content.at(-1)).toEqual([{ tag: 'a', text: '查看任务', href: message.link }]);
  });

  it.each([
    [5, '还剩5天'],
    [0, '今天到期'],
    [-1, '已逾期1天'],
  ])('says where a deadline %i days away stands: %s', (daysToDeadline, phrase) => {
    const body = webhookPayload('dingtalk', sampleReminder({ daysToDeadline, levelLabel: '提醒' })) as Markdown;
    expect(body.markdown.title).toBe(`【提醒】蔡郢村危房改造 ${phrase}`);
    expect(body.markdown.text).toContain(`2025-06-01（${phrase}）`);
  });

  it('leaves the region out when the task has none', () => {
    const body = webhookPayload('dingtalk', sampleReminder({ regionName: null })) as Markdown;
    expect(body.markdown.text).not.toContain('所属地区');
  });

  it('escapes markdown a user typed, and folds line breaks that could start a heading', () => {
    const tricky = sampleReminder({ taskTitle: '**加急** [点我](http://evil) <@all>\n# 假标题', unitName: 'a_b\\c' });
    for (const format of ['dingtalk', 'wecom'] as const) {
      const body = webhookPayload(format, tricky) as Markdown;
      const text = body.markdown.text ?? body.markdown.content ?? '';
      expect(text).toContain('\\*\\*加急\\*\\* \\[点我\\](http://evil) \\<@all\\> # 假标题');
      expect(text).toContain('**责任单位**：a\\_b\\\\c');
      expect(text).not.toMatch(/^# /m);
    }
  });

  it('keeps a link target from closing the markdown link early', () => {
    const body = webhookPayload('dingtalk', sampleReminder({ link: 'https://x.cn/t/1?q=a b(c)' })) as Markdown;
    expect(body.markdown.text).toContain('[查看任务](https://x.cn/t/1?q=a%20b%28c%29)');
  });

  it('cuts WeCom content to 4096 bytes of UTF-8, keeping the link', () => {
    const body = webhookPayload('wecom', sampleReminder({ taskTitle: '危房'.repeat(2000) })) as Markdown;
    const content = body.markdown.content ?? '';
    expect(Buffer.byteLength(content, 'utf8')).toBeLessThanOrEqual(WECOM_MARKDOWN_MAX_BYTES);
    expect(Buffer.byteLength(content, 'utf8')).toBeGreaterThan(WECOM_MARKDOWN_MAX_BYTES - 4);
    expect(content).toContain('…\n[查看任务](https://zhenggai.example.cn/tasks/task-1)');
    expect(content).not.toContain('\uFFFD');
  });

  it('truncates between code points and never leaves a dangling escape', () => {
    expect(truncateUtf8('危房改造', 9)).toBe('危房…');
    expect(truncateUtf8('ab😀cd', 7)).toBe('ab…');
    expect(truncateUtf8('ab\\*cdef', 6)).toBe('ab…');
    expect(truncateUtf8('ab\\\\cdef', 7)).toBe('ab\\\\…');
    expect(truncateUtf8('short', 5)).toBe('short');
  });
});

describe('webhook signing', () => {
  const secret = 'SECexample0123456789';

  it('dingtalk: timestamp (ms) and sign in the query, HMAC-SHA256 keyed by the secret', () => {
    const url0 = 'https://oapi.dingtalk.com/robot/send?access_token=t0k';
    const address = { kind: 'webhook', format: 'dingtalk', secret, url: url0 } as const;
    const { url } = webhookRequest(address, message, now);
    const timestamp = '1748998923456';
    const expected = createHmac('sha256', secret).update(`${timestamp}\n${secret}`).digest('base64');
    const query = new URL(url).searchParams;
    expect(query.get('access_token')).toBe('t0k');
    expect(query.get('timestamp')).toBe(timestamp);
    expect(query.get('sign')).toBe(expected);
    expect(url).toContain(`&sign=${encodeURIComponent(expected)}`);
  });

  it('feishu: timestamp (seconds) and sign in the body, HMAC-SHA256 keyed by timestamp and secret', () => {
    const hook = 'https://open.feishu.cn/open-apis/bot/v2/hook/abc';
    const address = { kind: 'webhook', format: 'feishu', secret, url: hook } as const;
    const { url, body } = webhookRequest(address, message, now);
    const timestamp = '1748998923';
    const expected = createHmac('sha256', `${timestamp}\n${secret}`).update('').digest('base64');
    expect(url).toBe(address.url);
    expect(body).toMatchObject({ timestamp, sign: expected, msg_type: 'post' });
  });

  it('sends unsigned when there is no secret', () => {
    for (const format of ['dingtalk', 'feishu'] as const) {
      const address = { kind: 'webhook', format, secret: null, url: 'https://robot.example.cn/send?token=x' } as const;
      const { url, body } = webhookRequest(address, message, now);
      expect(url).toBe(address.url);
      expect(body).toEqual(webhookPayload(format, message));
    }
  });
});
