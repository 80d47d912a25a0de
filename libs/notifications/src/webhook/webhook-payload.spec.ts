import { createHmac } from 'node:crypto';
import { sampleReminder } from '../testing/sample-reminder';
import {
  JSON_BATCH_MAX,
  robotBundles,
  ROBOT_BUNDLE_MAX,
  truncateUtf8,
  webhookBundlePayload,
  webhookBundleRequest,
  webhookPayload,
  webhookRequest,
  WECOM_MARKDOWN_MAX_BYTES,
} from './webhook-payload';

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

  it('json-batch: the same message, as the one item of a batch', () => {
    expect(webhookPayload('json-batch', message)).toEqual({
      type: 'zhenggai.batch',
      messages: [webhookPayload('json', message)],
    });
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

describe('several notices to one robot group in one message', () => {
  const assigned = (n: number, overrides: Partial<ReturnType<typeof sampleReminder>> = {}) =>
    sampleReminder({
      deliveryId: `delivery-${n}`,
      taskId: `task-${n}`,
      taskTitle: `第${n}户危房改造`,
      level: 'assigned',
      levelLabel: '新交办',
      kind: 'notice',
      daysToDeadline: 30,
      recipientName: '蔡郢村村委会',
      link: `https://zhenggai.example.cn/tasks/task-${n}`,
      notice: { what: `新交办任务「第${n}户危房改造」`, next: '请及时签收', reason: null },
      ...overrides,
    });

  it('lists up to ten a message, in order, for DingTalk, WeCom and Feishu (robots take 20 a minute)', () => {
    const messages = Array.from({ length: 23 }, (_, i) => assigned(i + 1));
    for (const format of ['dingtalk', 'wecom', 'feishu'] as const) {
      const bundles = robotBundles(format, messages);
      expect(bundles.map((b) => b.length)).toEqual([ROBOT_BUNDLE_MAX, ROBOT_BUNDLE_MAX, 3]);
      expect(bundles.flat()).toEqual(messages.map((_, i) => i));
    }
  });

  it('sends each message alone to a json receiver, and a digest or bulletin alone anywhere', () => {
    const messages = [assigned(1), assigned(2), assigned(3)];
    expect(robotBundles('json', messages)).toEqual([[0], [1], [2]]);
    const digest = sampleReminder({
      kind: 'digest',
      digest: { date: '2025-06-04', asOf: '08:30', figures: [] },
    });
    expect(robotBundles('dingtalk', [assigned(1), digest, assigned(2), assigned(3)])).toEqual([[0], [1], [2, 3]]);
  });

  it('sends a json-batch receiver every kind of message, up to a hundred a request, each as json sends it', () => {
    const digest = sampleReminder({
      kind: 'digest',
      digest: { date: '2025-06-04', asOf: '08:30', figures: [] },
    });
    const messages = [...Array.from({ length: JSON_BATCH_MAX + 4 }, (_, i) => assigned(i + 1)), digest];
    const bundles = robotBundles('json-batch', messages);
    expect(bundles.map((b) => b.length)).toEqual([JSON_BATCH_MAX, 5]);
    expect(bundles.flat()).toEqual(messages.map((_, i) => i));
    const body = webhookBundlePayload(
      'json-batch',
      bundles[1].map((i) => messages[i]),
    ) as { type: string; messages: Array<{ type: string; deliveryId: string }> };
    expect(body.type).toBe('zhenggai.batch');
    expect(body.messages).toEqual(bundles[1].map((i) => webhookPayload('json', messages[i])));
    expect(body.messages.map((m) => m.type)).toEqual([...Array(4).fill('zhenggai.notice'), 'zhenggai.digest']);
    expect(body.messages[0].deliveryId).toBe(`delivery-${JSON_BATCH_MAX + 1}`);
  });

  it('keeps a WeCom message within its 4096 bytes: long titles make smaller bundles', () => {
    const long = Array.from({ length: 10 }, (_, i) => assigned(i + 1, { taskTitle: `${'危房'.repeat(100)}${i}` }));
    const bundles = robotBundles('wecom', long);
    expect(bundles.length).toBeGreaterThan(1);
    for (const bundle of bundles.filter((b) => b.length > 1)) {
      const body = webhookBundlePayload(
        'wecom',
        bundle.map((i) => long[i]),
      ) as Markdown;
      expect(Buffer.byteLength(body.markdown.content!, 'utf8')).toBeLessThanOrEqual(WECOM_MARKDOWN_MAX_BYTES);
      expect(body.markdown.content).not.toContain('…');
    }
  });

  it('says how many, of what kind, for whom, and links each task', () => {
    const messages = [assigned(1), assigned(2, { unitName: '王堰镇人民政府' })];
    const body = webhookBundlePayload('dingtalk', messages) as Markdown;
    expect(body.markdown.title).toBe('【新交办】2项任务');
    expect(body.markdown.text).toContain('蔡郢村村委会：以下2项任务有新情况，请及时处理。');
    expect(body.markdown.text).toContain(
      '1. **【新交办】第1户危房改造**　蔡郢村村委会；整改时限 2025-06-01　' +
        '[查看任务](https://zhenggai.example.cn/tasks/task-1)',
    );
    expect(body.markdown.text).toContain('2. **【新交办】第2户危房改造**　王堰镇人民政府；整改时限 2025-06-01');
    const mixed = webhookBundlePayload('dingtalk', [
      assigned(1),
      assigned(2, {
        level: 'sent_back',
        levelLabel: '退回重办',
        notice: { what: 'x', next: 'y', reason: '照片不清晰' },
      }),
    ]) as Markdown;
    expect(mixed.markdown.title).toBe('【督办通知】2条');
    expect(mixed.markdown.text).toContain(
      '【退回重办】第2户危房改造**　蔡郢村村委会；整改时限 2025-06-01；理由：照片不清晰',
    );
    const feishu = webhookBundlePayload('feishu', messages) as FeishuPost;
    expect(feishu.content.post.zh_cn.title).toBe('【新交办】2项任务');
    expect(feishu.content.post.zh_cn.content[1]).toEqual([
      { tag: 'text', text: '1. 【新交办】第1户危房改造　蔡郢村村委会；整改时限 2025-06-01　' },
      { tag: 'a', text: '查看任务', href: 'https://zhenggai.example.cn/tasks/task-1' },
    ]);
  });

  it('is signed as a single message is', () => {
    const address = {
      kind: 'webhook' as const,
      url: 'https://oapi.dingtalk.com/robot/send?access_token=t',
      format: 'dingtalk' as const,
      secret: 'SEC',
    };
    const together = webhookBundleRequest(address, [assigned(1), assigned(2)], now);
    expect(together.url).toBe(webhookRequest(address, assigned(1), now).url);
  });
});
