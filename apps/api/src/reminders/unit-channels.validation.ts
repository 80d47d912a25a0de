import { ChannelAddress, QuietHours, UnitChannel, WebhookFormat } from '@zhenggai/application';
import { MESSAGE_KINDS, MessageKind, refuseUnknownKeys, requireClockTime, ValidationError } from '@zhenggai/domain';
import { createHash } from 'node:crypto';

const FORMATS: readonly WebhookFormat[] = ['json', 'json-batch', 'dingtalk', 'wecom', 'feishu'];
const EMAIL = /^[^\s@<>()"',;:]+@[^\s@<>()"',;:]+\.[^\s@<>()"',;:]+$/;

/** Checks a unit's delivery channels as an admin sends them; throws a ValidationError naming the field. */
export function validateUnitChannels(body: unknown): UnitChannel[] {
  if (typeof body === 'object' && body !== null)
    refuseUnknownKeys(body as Record<string, unknown>, ['channels'], 'body');
  const channels = (body as { channels?: unknown } | null)?.channels;
  if (!Array.isArray(channels) || channels.length > 20)
    throw new ValidationError('channels', 'channels must be a list of at most 20 channels');
  return channels.map((raw, i): UnitChannel => {
    const at = `channels[${i}]`;
    const c = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
    if (c.kind !== 'webhook' && c.kind !== 'email')
      throw new ValidationError(`${at}.kind`, `${at}.kind must be "webhook" or "email"`);
    const audience = c.audience ?? 'unit';
    if (audience !== 'unit' && audience !== 'head')
      throw new ValidationError(`${at}.audience`, `${at}.audience must be "unit" or "head"`);
    refuseUnknownKeys(
      c,
      c.kind === 'email'
        ? ['kind', 'address', 'audience', 'takes', 'quietHours']
        : ['kind', 'url', 'format', 'secret', 'audience', 'takes'],
      at,
    );
    const takes = takesOf(c.takes, `${at}.takes`);
    if (c.kind === 'webhook') {
      if (typeof c.url !== 'string' || c.url.length > 2000 || !isHttpUrl(c.url))
        throw new ValidationError(`${at}.url`, `${at}.url must be an http(s) URL`);
      const format = c.format ?? 'json';
      if (!FORMATS.includes(format as WebhookFormat))
        throw new ValidationError(`${at}.format`, `${at}.format must be one of ${FORMATS.join(', ')}`);
      if (c.secret !== undefined && c.secret !== null && (typeof c.secret !== 'string' || c.secret.length > 200)) {
        throw new ValidationError(`${at}.secret`, `${at}.secret must be text of at most 200 characters`);
      }
      return {
        kind: 'webhook',
        url: c.url,
        format: format as WebhookFormat,
        secret: (c.secret as string | undefined) ?? null,
        audience,
        takes,
      };
    }
    if (c.kind === 'email') {
      if (typeof c.address !== 'string' || c.address.length > 254 || !EMAIL.test(c.address))
        throw new ValidationError(`${at}.address`, `${at}.address must be an e-mail address`);
      return {
        kind: 'email',
        address: c.address,
        audience,
        takes,
        quietHours: quietHoursOf(c.quietHours, `${at}.quietHours`),
      };
    }
    throw new ValidationError(`${at}.kind`, `${at}.kind must be "webhook" or "email"`);
  });
}

/** Which kinds of message a channel takes: absent or null, all; else one or more of MESSAGE_KINDS. */
function takesOf(takes: unknown, field: string): MessageKind[] | null {
  if (takes === undefined || takes === null) return null;
  if (!Array.isArray(takes) || takes.length === 0 || takes.some((k) => !MESSAGE_KINDS.includes(k)))
    throw new ValidationError(field, `${field} must list one or more of ${MESSAGE_KINDS.join(', ')}`);
  return MESSAGE_KINDS.filter((k) => takes.includes(k));
}

/** An e-mail address's quiet hours: absent or null, none; else `{ from, to }` as HH:MM (Asia/Shanghai). */
function quietHoursOf(quiet: unknown, field: string): QuietHours | null {
  if (quiet === undefined || quiet === null) return null;
  const q = (typeof quiet === 'object' ? quiet : {}) as Record<string, unknown>;
  refuseUnknownKeys(q, ['from', 'to'], field);
  return { from: requireClockTime(q.from, `${field}.from`), to: requireClockTime(q.to, `${field}.to`) };
}

function isHttpUrl(value: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

/**
 * Names one of a unit's stored channels without showing it: a hash of the channel as stored (its address, token and
 * secret included, whom it reaches and what it takes). The admin sees only masked channels, so a page that changes a
 * unit's channels sends the ones it keeps as `{ ref }` (see `keptChannels`) rather than their tokens again.
 */
export function channelRef(channel: UnitChannel): string {
  return createHash('sha256').update(JSON.stringify(channel)).digest('hex').slice(0, 16);
}

/**
 * The body of a change to a unit's channels with each `{ ref, audience?, takes?, quietHours? }` replaced by the stored
 * channel it names (`channelRef`), those of its fields given changed: a page keeps a robot, or changes what it takes,
 * without knowing its token. A ref that names none of `stored` (changed meanwhile) is refused, naming the field.
 */
export function keptChannels(body: unknown, stored: readonly UnitChannel[]): unknown {
  const channels = (body as { channels?: unknown } | null)?.channels;
  if (!Array.isArray(channels)) return body;
  const byRef = new Map(stored.map((channel) => [channelRef(channel), channel]));
  return {
    ...(body as object),
    channels: channels.map((raw: unknown, i) => {
      if (typeof raw !== 'object' || raw === null || !('ref' in raw)) return raw;
      const { ref, ...changes } = raw as Record<string, unknown>;
      refuseUnknownKeys(changes, ['audience', 'takes', 'quietHours'], `channels[${i}]`);
      const kept = typeof ref === 'string' ? byRef.get(ref) : undefined;
      if (!kept)
        throw new ValidationError(
          `channels[${i}].ref`,
          `channels[${i}].ref names none of the unit's channels (they were changed meanwhile: load them again)`,
        );
      if (kept.kind !== 'email' && 'quietHours' in changes)
        throw new ValidationError(
          `channels[${i}].quietHours`,
          `channels[${i}]: only an e-mail address has quiet hours`,
        );
      return { ...kept, ...changes };
    }),
  };
}

/**
 * What an admin sees of a channel: robot URLs carry access tokens and secrets sign messages, so neither is shown whole.
 */
export function maskedChannel(channel: ChannelAddress | UnitChannel): Record<string, unknown> {
  if (channel.kind === 'email') return channel;
  const url = new URL(channel.url);
  // DingTalk and WeCom carry the robot's token in the query, Feishu as the path's segment after /hook/.
  const path = url.pathname.replace(/\/hook\/[^/]+/, '/hook/***');
  return {
    ...channel,
    url: `${url.origin}${path}${url.search ? '?…' : ''}`,
    secret: channel.secret ? '***' : null,
  };
}
