import type { SendingPace } from '@zhenggai/application';

/**
 * What this process has sent to each paced address (a group robot) lately, so that it sends no faster than the address
 * takes (`NotificationChannel.paceOf`): a campaign's tasks assigned to one town in an afternoon are hundreds of
 * notices to one DingTalk group, which refuses the 21st message of a minute. Robots count per address across every
 * sender; a second worker process, or another system posting to the same group, is met by the robot's own refusal
 * (`AddressBusyError`), after which this process sends nothing more there until the robot said to wait (`hold`).
 */
export class SendingPaces {
  /**
   * The sends within the longest pace, by address: each at the instant its send returned, or, while it is still on its
   * way (`pending`), as if it arrived now. A robot counts a message when it arrives, which may be as late as its send
   * returns: counted from its start, a slow send followed by a fast one was seen by a robot as one too many.
   */
  private readonly sent = new Map<string, Array<{ at: number; pending: boolean }>>();
  private readonly heldUntil = new Map<string, number>();

  constructor(private readonly now: () => number = () => Date.now()) {}

  /**
   * 0 when one more message may go to the address now under every pace (and counts it as on its way: `settle` it once
   * sent); else how many ms until it may.
   */
  take(address: string, paces: readonly SendingPace[]): number {
    const now = this.now();
    const held = this.heldUntil.get(address);
    if (held !== undefined) {
      if (held > now) return held - now;
      this.heldUntil.delete(address);
    }
    const longest = Math.max(0, ...paces.map((pace) => pace.perMs));
    const recent = (this.sent.get(address) ?? []).filter((send) => send.pending || send.at > now - longest);
    const at = (send: { at: number; pending: boolean }) => (send.pending ? now : send.at);
    let wait = 0;
    for (const { messages, perMs } of paces) {
      const within = recent.filter((send) => at(send) > now - perMs);
      // The send that has to leave the span before one more fits in it.
      if (within.length >= messages) wait = Math.max(wait, at(within[within.length - messages]!) + perMs - now);
    }
    if (wait === 0) recent.push({ at: now, pending: true });
    if (recent.length > 0) this.sent.set(address, recent);
    else this.sent.delete(address);
    return wait;
  }

  /**
   * A send to the address has returned (delivered or not): one message on its way is counted from now on. Which one
   * does not matter: every send on its way counts as arriving now, and each that returns takes the instant it returned.
   */
  settle(address: string): void {
    const sends = this.sent.get(address);
    const pending = sends?.find((send) => send.pending);
    if (!sends || !pending) return;
    pending.at = this.now();
    pending.pending = false;
    // Oldest first, those still on their way last (they count as arriving now).
    sends.sort((a, b) => Number(a.pending) - Number(b.pending) || a.at - b.at);
  }

  /** The address said it takes nothing more for `ms`: nothing goes to it from this process until then. */
  hold(address: string, ms: number): void {
    const until = this.now() + ms;
    this.heldUntil.set(address, Math.max(until, this.heldUntil.get(address) ?? 0));
  }
}
