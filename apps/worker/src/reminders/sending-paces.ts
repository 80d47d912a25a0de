import type { SendingPace } from '@zhenggai/application';

/**
 * What this process has sent to each paced address (a group robot) lately, so that it sends no faster than the address
 * takes (`NotificationChannel.paceOf`): a campaign's tasks assigned to one town in an afternoon are hundreds of
 * notices to one DingTalk group, which refuses the 21st message of a minute. Robots count per address across every
 * sender; a second worker process, or another system posting to the same group, is met by the robot's own refusal
 * (`AddressBusyError`), after which this process sends nothing more there until the robot said to wait (`hold`).
 */
export class SendingPaces {
  /** The instants of the sends within the longest pace, oldest first, by address. */
  private readonly sent = new Map<string, number[]>();
  private readonly heldUntil = new Map<string, number>();

  constructor(private readonly now: () => number = () => Date.now()) {}

  /**
   * 0 when one more message may go to the address now under every pace (and counts it as sent); else how many ms
   * until it may.
   */
  take(address: string, paces: readonly SendingPace[]): number {
    const now = this.now();
    const held = this.heldUntil.get(address);
    if (held !== undefined) {
      if (held > now) return held - now;
      this.heldUntil.delete(address);
    }
    const longest = Math.max(0, ...paces.map((pace) => pace.perMs));
    const recent = (this.sent.get(address) ?? []).filter((at) => at > now - longest);
    let wait = 0;
    for (const { messages, perMs } of paces) {
      const within = recent.filter((at) => at > now - perMs);
      // The send that has to leave the span before one more fits in it.
      if (within.length >= messages) wait = Math.max(wait, within[within.length - messages]! + perMs - now);
    }
    if (wait === 0) recent.push(now);
    if (recent.length > 0) this.sent.set(address, recent);
    else this.sent.delete(address);
    return wait;
  }

  /** The address said it takes nothing more for `ms`: nothing goes to it from this process until then. */
  hold(address: string, ms: number): void {
    const until = this.now() + ms;
    this.heldUntil.set(address, Math.max(until, this.heldUntil.get(address) ?? 0));
  }
}
