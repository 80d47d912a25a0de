import type { ChannelAddress, NotificationChannel, ReminderMessage } from '@zhenggai/application';
import { createTransport, type Transporter } from 'nodemailer';
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
    this.transport = createTransport(options.url);
  }

  async send(address: ChannelAddress, message: ReminderMessage): Promise<void> {
    if (address.kind !== 'email') throw new Error(`the e-mail channel cannot send to a ${address.kind} address`);
    await this.transport.sendMail({ from: this.options.from, to: address.address, ...emailContent(message) });
  }
}
