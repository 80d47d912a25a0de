import { MESSAGE_KINDS } from '@zhenggai/domain';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MESSAGE_KINDS as OFFERED } from '../../apps/web/src/channels';

/**
 * An admin chooses what a unit's channel takes (消息渠道) among every kind of message the server sends, each named in
 * Chinese: the web app's list is the domain's, and i18n.ts labels each `takes.<kind>` in both languages.
 */
describe("the kinds of message a unit's channel can take, in the web app", () => {
  it('are every kind the server sends, in its order', () => {
    expect([...OFFERED]).toEqual([...MESSAGE_KINDS]);
  });

  it('each have a Chinese and an English label', () => {
    const i18n = readFileSync(join(__dirname, '../../apps/web/src/i18n.ts'), 'utf8');
    for (const kind of MESSAGE_KINDS) {
      const [, zh, en] = new RegExp(`'takes\\.${kind}': \\['([^']+)', '([^']+)'\\]`).exec(i18n) ?? [];
      expect([kind, /[\u4e00-\u9fff]/.test(zh ?? ''), Boolean(en)]).toEqual([kind, true, true]);
    }
  });
});
