import { createHmac } from 'node:crypto';

/**
 * DingTalk 加签: the robot accepts a call only with `timestamp` (ms) and
 * `sign` = urlencode(base64(HmacSHA256(key = secret, `${timestamp}\n${secret}`))) in its query, within an hour
 * of its own clock. The parameters are appended so the robot's own query (its access_token) stays as written.
 */
export function dingTalkSignedUrl(url: string, secret: string, now: Date): string {
  const timestamp = String(now.getTime());
  const sign = createHmac('sha256', secret).update(`${timestamp}\n${secret}`).digest('base64');
  const separator = url.includes('?') ? '&' : '?';
  return `${url}${separator}timestamp=${timestamp}&sign=${encodeURIComponent(sign)}`;
}

/**
 * Feishu 签名校验: the body carries `timestamp` (seconds, as a string) and
 * `sign` = base64(HmacSHA256(key = `${timestamp}\n${secret}`, empty message)); the key, not the message,
 * holds the string to sign, unlike DingTalk.
 */
export function feishuSignature(secret: string, now: Date): { readonly timestamp: string; readonly sign: string } {
  const timestamp = String(Math.floor(now.getTime() / 1000));
  const sign = createHmac('sha256', `${timestamp}\n${secret}`).update('').digest('base64');
  return { timestamp, sign };
}
