import { type MessageKey, t } from './i18n';

/** A row of the delivery ledger as `GET /api/admin/deliveries` answers it (the address masked). */
export interface DeliveryRow {
  id: string;
  taskId: string;
  address: { kind: 'webhook'; url: string; format: string } | { kind: 'email'; address: string };
  message: { taskTitle: string; levelLabel: string; kind: string; deadline?: string };
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  lastError: string | null;
  createdAt: string;
  deliveredAt: string | null;
}

/** Each kind of channel as an admin names it: a webhook's format, or e-mail. */
export const CHANNEL_TYPE_LABELS = {
  dingtalk: 'channelDingtalk',
  wecom: 'channelWecom',
  feishu: 'channelFeishu',
  json: 'channelWebhook',
  'json-batch': 'channelWebhookBatch',
  email: 'channelEmail',
} as const satisfies Record<string, MessageKey>;

/** Where a delivery went, as an admin names it: 钉钉群机器人, 邮件… */
export function channelLabel(address: DeliveryRow['address']): string {
  const type = address.kind === 'email' ? 'email' : address.format;
  return t(CHANNEL_TYPE_LABELS[type as keyof typeof CHANNEL_TYPE_LABELS] ?? 'channelWebhook');
}

/** The address itself: the e-mail address, or the URL without its token (the API masks it). */
export function addressText(address: DeliveryRow['address']): string {
  return address.kind === 'email' ? address.address : address.url;
}

const STATUSES: Record<DeliveryRow['status'], MessageKey> = {
  pending: 'deliveryPending',
  delivered: 'deliveryDelivered',
  failed: 'deliveryFailed',
};

export const deliveryStatusLabel = (status: DeliveryRow['status']): string => t(STATUSES[status]);

/**
 * Why a delivery failed, as a sentence an admin can act on, from the error the channel recorded (in English, for the
 * logs): no answer, no connection, an HTTP error, a robot that refused the message or asked to slow down, an address
 * that is not a URL, the mail server. What is not recognised says to look at the technical details.
 */
export function failureSentence(error: string | null): string {
  if (!error) return '';
  const noAnswer = /no answer within (\d+) ms/.exec(error);
  if (noAnswer) return `${t('failNoAnswer')}（${Math.round(Number(noAnswer[1]) / 1000)} ${t('seconds')}）`;
  if (/answered HTTP 429|is sending too fast/.test(error)) return t('failBusy');
  const http = /answered HTTP (\d{3})/.exec(error);
  if (http) return `${t('failHttp')} ${http[1]}`;
  const refused = /refused the message: (.*)$/s.exec(error);
  if (refused) return `${t('failRefused')}${refused[1]!.trim().slice(0, 120)}`;
  if (/is not a valid URL/.test(error)) return t('failBadUrl');
  if (/^webhook .* failed: /.test(error)) return t('failUnreachable');
  if (/SMTP|ECONNREFUSED|ETIMEDOUT|ENOTFOUND|EAUTH|EENVELOPE|mail/i.test(error)) return t('failEmail');
  return t('failOther');
}
