export { WebhookChannel, type WebhookChannelOptions } from './webhook/webhook-channel';
export { webhookPayload, webhookRequest, type WebhookAddress } from './webhook/webhook-payload';
export { EmailChannel, type EmailChannelOptions } from './email/email-channel';
export { emailContent, type EmailContent } from './email/email-content';
export { BulletinFiles } from './bulletin/bulletin-files';
