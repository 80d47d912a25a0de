/** An appended event carries an id that another stored event already has; nothing was appended. */
export class DuplicateEventIdError extends Error {
  constructor(
    readonly streamName: string,
    cause: unknown,
  ) {
    super(`an event appended to ${streamName} has an id that is already stored`, { cause });
    this.name = new.target.name;
  }
}
