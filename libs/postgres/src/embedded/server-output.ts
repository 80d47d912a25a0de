const KEPT_LINES = 60;

/**
 * The server's log: forwarded line by line when the caller asked for it, otherwise kept quiet; the last
 * lines are always kept so that a failed start can say why.
 */
export class ServerOutput {
  private readonly lines: string[] = [];

  constructor(private readonly forward?: (line: string) => void) {}

  readonly write = (chunk: unknown): void => {
    const text = chunk instanceof Error ? chunk.message : String(chunk);
    for (const line of text.split(/\r?\n/)) {
      if (!line.trim()) continue;
      this.lines.push(line);
      if (this.lines.length > KEPT_LINES) this.lines.shift();
      this.forward?.(line);
    }
  };

  /** A message of the launcher itself. */
  readonly note = (message: string): void => this.write(`[launcher] ${message}`);

  tail(): string {
    return this.lines.join('\n');
  }

  includes(text: string): boolean {
    return this.lines.some((line) => line.includes(text));
  }
}
