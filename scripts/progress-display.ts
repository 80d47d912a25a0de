/**
 * Shows a rebuild's progress: a bar redrawn in place on a terminal, a plain line every few seconds (and
 * at the end) otherwise, e.g. when the output goes to a log file.
 */
export class ProgressDisplay {
  private readonly startedAt = Date.now();
  private lastLineAt = 0;
  private lastDrawAt = 0;

  constructor(
    private readonly label: string,
    private readonly out: NodeJS.WriteStream = process.stdout,
  ) {}

  update(done: number, total: number): void {
    const now = Date.now();
    if (this.out.isTTY) {
      if (now - this.lastDrawAt < 100 && done < total) return;
      this.lastDrawAt = now;
      this.out.write(`\r${this.bar(done, total)}\x1b[K`);
    } else if (now - this.lastLineAt >= 2_000 || done === total) {
      this.lastLineAt = now;
      this.out.write(`${this.label}: ${count(done)} / ${count(total)} events (${percent(done, total)})\n`);
    }
  }

  /** Ends the display with a summary line. */
  finish(summary: string): void {
    if (this.out.isTTY) this.out.write(`\r\x1b[K`);
    this.out.write(`${this.label}: ${summary}\n`);
  }

  /** Seconds since the display was created. */
  get elapsedSeconds(): number {
    return (Date.now() - this.startedAt) / 1000;
  }

  private bar(done: number, total: number): string {
    const rate = done / Math.max(this.elapsedSeconds, 0.001);
    const eta = rate > 0 && total > done ? ` ETA ${Math.ceil((total - done) / rate)} s` : '';
    const text = ` ${percent(done, total)} ${count(done)}/${count(total)} events ${count(Math.round(rate))}/s${eta}`;
    const width = Math.max(10, Math.min(40, (this.out.columns ?? 80) - this.label.length - text.length - 4));
    const filled = total === 0 ? width : Math.round((width * Math.min(done, total)) / total);
    return `${this.label} [${'█'.repeat(filled)}${'░'.repeat(width - filled)}]${text}`;
  }
}

function percent(done: number, total: number): string {
  return `${total === 0 ? 100 : Math.floor((100 * Math.min(done, total)) / total)}%`;
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}
