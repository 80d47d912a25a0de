import {
  categoryDecider,
  categoryStreamName,
  CommandMetadata,
  Decider,
  DomainEvent,
  DuplicateError,
  RegionLevel,
  regionDecider,
  regionStreamName,
  UnitChannelSummary,
  unitDecider,
  unitStreamName,
  UserAccess,
  userAccountDecider,
  UserAccountCommand,
  userStreamName,
  Command,
  NotFoundError,
} from '@zhenggai/domain';
import { decideAndAppend } from '../command-handling/decide-and-append';
import { EventStore } from '../event-store/event-store.port';
import { IdGenerator } from '../ids/id-generator.port';
import { nameBasedId } from '../ids/name-based-id';
import { newIdFor } from '../ids/command-id';
import { UserRepository } from '../users/user-repository.port';
import { References } from '../references/references';
import { Directory, UnitChannel } from './directory.port';

export const DIRECTORY_DEPS = Symbol('DirectoryDeps');

/** What the directory's use cases need. */
export interface DirectoryDeps {
  readonly store: EventStore;
  readonly directory: Directory;
  readonly users: UserRepository;
  readonly ids: IdGenerator;
}

export interface DirectoryResult {
  readonly id: string;
  readonly revision: number;
  /** False when the command changed nothing (a resend). */
  readonly changed: boolean;
}

/**
 * Decide, append, and bring the directory's tables up to date before answering (read your own writes). A retry
 * whose earlier attempt appended (and perhaps died before the tables) applies that attempt's events and answers.
 */
export async function decideDirectoryCommand<C extends Command, E extends DomainEvent, S>(
  deps: DirectoryDeps,
  decider: Decider<C, E, S>,
  id: string,
  streamName: string,
  command: C,
  options: {
    expectedRevision?: number;
    mustExist?: (state: S) => boolean;
    kind?: string;
    /** Checked before deciding, once a retry has looked for what its earlier attempt stored (which it would refuse). */
    precondition?: () => Promise<void>;
  } = {},
): Promise<DirectoryResult> {
  const { revision, events } = await decideAndAppend(deps.store, decider, streamName, command, {
    expectedRevision: options.expectedRevision,
    precondition: async (state) => {
      if (options.mustExist && !options.mustExist(state)) throw new NotFoundError(options.kind ?? 'Entry', id);
      await options.precondition?.();
    },
  });
  const first = revision - events.length + 1;
  await deps.directory.apply(
    events.map((event, i) => ({ streamName, revision: first + i, type: event.type, data: event.data })),
  );
  return { id, revision, changed: events.length > 0 };
}

const exists = (state: { status: string }) => state.status !== 'none';

export interface CreateRegionInput {
  readonly code: string;
  readonly name: string;
  readonly level: RegionLevel;
  readonly parentId: string | null;
}

/** Adds a region under its parent; its id follows from its administrative code, which no other region has. */
export async function createRegion(
  deps: DirectoryDeps,
  input: CreateRegionInput,
  metadata: CommandMetadata,
): Promise<DirectoryResult> {
  const parent = input.parentId ? await new References(deps).region(metadata.actor, input.parentId, 'parentId') : null;
  const regionId = nameBasedId('region', String(input.code));
  const codeIsFree = async () => {
    const taken = typeof input.code === 'string' ? await deps.directory.findRegionByCode(input.code) : null;
    if (taken) throw new DuplicateError('code', `region ${taken.name} has the code ${input.code}`);
  };
  return decideDirectoryCommand(
    deps,
    regionDecider,
    regionId,
    regionStreamName(regionId),
    {
      type: 'CreateRegion',
      data: {
        regionId,
        code: input.code,
        name: input.name,
        level: input.level,
        parent: parent ? { regionId: parent.id, code: parent.code, level: parent.level, path: parent.path } : null,
      },
      metadata,
    },
    { precondition: codeIsFree },
  );
}

export function renameRegion(
  deps: DirectoryDeps,
  regionId: string,
  name: string,
  metadata: CommandMetadata,
  expectedRevision?: number,
) {
  return decideDirectoryCommand(
    deps,
    regionDecider,
    regionId,
    regionStreamName(regionId),
    { type: 'RenameRegion', data: { name }, metadata },
    { expectedRevision, mustExist: exists, kind: 'Region' },
  );
}

export interface UnitInput {
  readonly name: string;
  readonly headName: string | null;
  readonly contact: string | null;
}

export async function registerUnit(
  deps: DirectoryDeps,
  input: UnitInput & { regionId: string },
  metadata: CommandMetadata,
): Promise<DirectoryResult> {
  await new References(deps).region(metadata.actor, input.regionId, 'regionId');
  const unitId = newIdFor(deps.ids, metadata, 'unit');
  return decideDirectoryCommand(
    deps,
    unitDecider,
    unitId,
    unitStreamName(unitId),
    { type: 'RegisterUnit', data: { unitId, ...input }, metadata },
    {
      precondition: () => unitNameIsFree(deps, input.name, null),
    },
  );
}

export async function changeUnitDetails(
  deps: DirectoryDeps,
  unitId: string,
  input: UnitInput,
  metadata: CommandMetadata,
  expectedRevision?: number,
) {
  await unitNameIsFree(deps, input.name, unitId);
  return decideDirectoryCommand(
    deps,
    unitDecider,
    unitId,
    unitStreamName(unitId),
    { type: 'ChangeUnitDetails', data: input, metadata },
    { expectedRevision, mustExist: exists, kind: 'Unit' },
  );
}

async function unitNameIsFree(deps: DirectoryDeps, name: string, unitId: string | null): Promise<void> {
  const taken = typeof name === 'string' ? await deps.directory.findUnitByName(name.trim()) : null;
  if (taken && taken.id !== unitId) throw new DuplicateError('name', `a unit named ${taken.name} exists`);
}

/**
 * Replaces a unit's delivery channels: the configuration is kept whole, history records the change with each
 * address masked (`summaries`, from the caller, which knows how each kind of channel is shown).
 */
export async function setUnitChannels(
  deps: DirectoryDeps,
  unitId: string,
  channels: readonly UnitChannel[],
  summaries: readonly UnitChannelSummary[],
  metadata: CommandMetadata,
): Promise<DirectoryResult> {
  const result = await decideDirectoryCommand(
    deps,
    unitDecider,
    unitId,
    unitStreamName(unitId),
    { type: 'SetUnitChannels', data: { channels: summaries }, metadata },
    { mustExist: exists, kind: 'Unit' },
  );
  await deps.directory.setUnitChannels(unitId, channels);
  return result;
}

export interface RegisterUserInput extends UserAccess {
  readonly username: string;
  /** Hashed by the caller after the password policy passed; never recorded in history. */
  readonly passwordHash: string;
}

/** A user's id follows from its username (compared without case), which no other user has. */
export const userIdOf = (username: string) => nameBasedId('user', username.toLowerCase());

export async function registerUser(
  deps: DirectoryDeps,
  input: RegisterUserInput,
  metadata: CommandMetadata,
): Promise<DirectoryResult> {
  await checkAccess(deps, input, metadata);
  const userId = userIdOf(String(input.username));
  const { passwordHash, ...registered } = input;
  const result = await decideDirectoryCommand(
    deps,
    userAccountDecider,
    userId,
    userStreamName(userId),
    { type: 'RegisterUser', data: { userId, ...registered }, metadata },
    {
      precondition: async () => {
        if (typeof input.username === 'string' && (await deps.users.findByUsername(input.username))) {
          throw new DuplicateError('username', `the username ${input.username} is taken`);
        }
      },
    },
  );
  // A retry whose earlier attempt stored the password leaves it: the user may have changed it since.
  await deps.users.setPasswordHash(userId, passwordHash, { keepExisting: true });
  return result;
}

export async function changeUserAccess(
  deps: DirectoryDeps,
  userId: string,
  access: UserAccess,
  metadata: CommandMetadata,
  expectedRevision?: number,
) {
  await checkAccess(deps, access, metadata);
  return userCommand(deps, userId, { type: 'ChangeUserAccess', data: access, metadata }, expectedRevision);
}

export const disableUser = (deps: DirectoryDeps, userId: string, metadata: CommandMetadata) =>
  userCommand(deps, userId, { type: 'DisableUser', data: {}, metadata });
export const enableUser = (deps: DirectoryDeps, userId: string, metadata: CommandMetadata) =>
  userCommand(deps, userId, { type: 'EnableUser', data: {}, metadata });

/** Sets a user's password: history records who set it, the credential store keeps the hash. */
export async function setUserPassword(
  deps: DirectoryDeps,
  userId: string,
  passwordHash: string,
  metadata: CommandMetadata,
): Promise<DirectoryResult> {
  const result = await userCommand(deps, userId, { type: 'RecordPasswordChange', data: {}, metadata });
  await deps.users.setPasswordHash(userId, passwordHash);
  return result;
}

function userCommand(deps: DirectoryDeps, userId: string, command: UserAccountCommand, expectedRevision?: number) {
  return decideDirectoryCommand(deps, userAccountDecider, userId, userStreamName(userId), command, {
    expectedRevision,
    mustExist: exists,
    kind: 'User',
  });
}

async function checkAccess(
  deps: DirectoryDeps,
  access: Pick<UserAccess, 'unitId' | 'regionScopeId'>,
  metadata: CommandMetadata,
): Promise<void> {
  const references = new References(deps);
  if (typeof access.unitId === 'string') await references.unit(metadata.actor, access.unitId, 'unitId');
  if (typeof access.regionScopeId === 'string')
    await references.region(metadata.actor, access.regionScopeId, 'regionScopeId');
}

export async function defineCategory(
  deps: DirectoryDeps,
  input: { code: string; name: string },
  metadata: CommandMetadata,
): Promise<DirectoryResult> {
  const categoryId = nameBasedId('category', String(input.code));
  return decideDirectoryCommand(
    deps,
    categoryDecider,
    categoryId,
    categoryStreamName(categoryId),
    { type: 'DefineCategory', data: { categoryId, ...input }, metadata },
    {
      precondition: async () => {
        const taken = typeof input.code === 'string' ? await deps.directory.findCategoryByCode(input.code) : null;
        if (taken) throw new DuplicateError('code', `category ${taken.name} has the code ${input.code}`);
      },
    },
  );
}

export function renameCategory(
  deps: DirectoryDeps,
  categoryId: string,
  name: string,
  metadata: CommandMetadata,
  expectedRevision?: number,
) {
  return decideDirectoryCommand(
    deps,
    categoryDecider,
    categoryId,
    categoryStreamName(categoryId),
    { type: 'RenameCategory', data: { name }, metadata },
    { expectedRevision, mustExist: exists, kind: 'Category' },
  );
}
