import { Command, Decider, DomainError, DomainEvent } from '../shared';

type ErrorClass<E extends Error> = abstract new (...args: never[]) => E;
/** A code (`EXTENSION_AFTER_DEADLINE`), some of the error's fields, or a predicate. */
type ErrorExpectation<E extends Error> = string | Partial<Record<keyof E, unknown>> | ((error: E) => boolean);

/**
 * Given / when / then for deciders, with no I/O: the given events are folded into state, the command is decided
 * against it, and the outcome is compared exactly. The state and the events are frozen, so that a decider that
 * mutates what it is handed fails; the events a decision returns are folded too, so that `evolve` must accept them.
 */
export const DeciderSpecification = {
  for<C extends Command, E extends DomainEvent, S>(decider: Decider<C, E, S>) {
    return {
      given(events: readonly E[] = []) {
        return {
          when(command: C) {
            const decide = (): { state: S; events: E[] } => {
              const state = deepFreeze(events.map(deepFreeze).reduce(decider.evolve, decider.initialState()));
              const decided = decider.decide(deepFreeze(command), state);
              return { state: decided.reduce(decider.evolve, state), events: decided };
            };
            return {
              then(expected: readonly E[]): void {
                expect(decide().events).toStrictEqual(expected);
              },
              thenNothing(): void {
                expect(decide().events).toStrictEqual([]);
              },
              /** Checks the state after the given events and the decided ones (partial match). */
              thenState(expected: Partial<Record<keyof S, unknown>> | Record<string, unknown>): void {
                expect(decide().state).toMatchObject(expected);
              },
              thenThrows<Err extends Error>(errorClass: ErrorClass<Err>, expectation?: ErrorExpectation<Err>): Err {
                let thrown: unknown;
                try {
                  decide();
                } catch (error) {
                  thrown = error;
                }
                if (thrown === undefined)
                  throw new Error(`expected ${errorClass.name} to be thrown, but the command was decided`);
                expect(thrown).toBeInstanceOf(errorClass);
                const error = thrown as Err;
                if (typeof expectation === 'string') {
                  expect((error as unknown as DomainError).code).toBe(expectation);
                } else if (typeof expectation === 'function') {
                  if (!expectation(error))
                    throw new Error(`${error.name} "${error.message}" does not satisfy the expectation`);
                } else if (expectation !== undefined) {
                  expect(error).toMatchObject(expectation);
                }
                return error;
              },
            };
          },
        };
      },
    };
  },
};

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}
