import type { ChannelAddress, NotificationChannel, ReminderMessage } from '@zhenggai/application';
import type { Transporter } from 'nodemailer';
import { emailContent } from './email-content';

export interface EmailChannelOptions {
  /**
   * The SMTP server as a URL: `smtp://user:pass@host:587` (STARTTLS when offered) or `smtps://…:465`
   * (TLS from the start). nodemailer reads transport options from its query too, e.g. `?ignoreTLS=true`.
   */
  readonly url: string;
  /** The sender, e.g. `"整改督办" <noreply@example.gov.cn>`. */
  readonly from: string;
}

/** Sends a reminder as an e-mail over SMTP; a refusal by the server (an unknown recipient, say) throws. */
export class EmailChannel implements NotificationChannel {
  readonly kind = 'email' as const;
  private readonly transport: Transporter;

  constructor(private readonly options: EmailChannelOptions) {
    // Loaded here, not at the process's start (70 ms and ~12 MB a process without SMTP should not pay).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { createTransport } = require('nodemailer') as typeof import('nodemailer');
    this.transport = createTransport(options.url);
  }

  async send(address: ChannelAddress, message: ReminderMessage): Promise<void> {
    if (address.kind !== 'email') throw new Error(`the e-mail channel cannot send to a ${address.kind} address`);
    await this.transport.sendMail({
      from: this.options.from,
      to: address.address,
      messageId: messageIdOf(message.deliveryId),
      ...emailContent(message),
    });
  }
}

/**
 * The Message-ID of a delivery: the same for every attempt, so a message sent again after a worker died before its
 * delivery was recorded is recognised by mail systems (and by people) as the one they already have. The delivery id
 * is written with the characters a Message-ID allows, each other one as `=` and its code.
 */
export function messageIdOf(deliveryId: string): string {
  const local = deliveryId.replace(/[^A-Za-z0-9._-]/g, (c) => `=${c.codePointAt(0)!.toString(16)}`);
  return `<${local}@deliveries.zhenggai>`;
}
