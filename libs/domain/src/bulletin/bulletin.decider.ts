import { assertNever, Decider, ForbiddenError, IllegalTransitionError, LocalDate, ValidationError } from '../shared';
import { shanghaiDateOf } from '../shared/local-date';
import {
  nullableId,
  requireId,
  requireInstant,
  requireLocalDate,
  requireOneOf,
  requireText,
  sameValue,
  TITLE_MAX_LENGTH,
} from '../shared/field-validation';
import { IssueBulletin, BulletinCommand } from './bulletin.commands';
import {
  BULLETIN_FORMATS,
  BulletinEvent,
  BulletinFile,
  BulletinIssued,
  BulletinPeriod,
  BulletinScope,
} from './bulletin.events';
import { BulletinState, evolveBulletin, initialBulletinState } from './bulletin.state';

/** Who issues bulletins: the inspection side and the leaders who sign them; the engine for an admin's schedule. */
const ISSUERS = ['inspector', 'leader', 'system'] as const;

function issue(command: IssueBulletin, state: BulletinState): BulletinIssued[] {
  const { data, metadata } = command;
  if (!(ISSUERS as readonly string[]).includes(metadata.actor.role)) {
    throw new ForbiddenError('ROLE_NOT_ALLOWED', `a ${metadata.actor.role} may not issue ${command.type}`);
  }
  const asOf = requireInstant(data.asOf, 'asOf');
  if (Date.parse(asOf) > Date.parse(metadata.now)) {
    throw new ValidationError(
      'asOf',
      'a bulletin reports what has happened: asOf may not be later than now',
      'AS_OF_IN_FUTURE',
    );
  }
  const issued: BulletinIssued['data'] = {
    bulletinId: requireId(data.bulletinId, 'bulletinId'),
    version: state.status === 'issued' ? state.version + 1 : 1,
    title: requireText(data.title, 'title', TITLE_MAX_LENGTH),
    scope: requireScope(data.scope),
    period: requirePeriod(data.period, asOf),
    asOf,
    files: requireFiles(data.files),
    issuedBy: metadata.actor.userId,
    scheduleId: data.scheduleId ? requireId(data.scheduleId, 'scheduleId') : null,
  };
  if (state.status === 'issued') {
    const same = sameValue(state.scope, issued.scope) && sameValue(state.period, issued.period);
    if (!data.reissue) {
      if (same) return [];
      throw new IllegalTransitionError(
        command.type,
        state.status,
        `bulletin ${state.bulletinId} has already been issued`,
      );
    }
    if (!same) {
      throw new ValidationError(
        'scope',
        'a new version of a bulletin reports on the same scope and period as the first; issue a new bulletin instead',
        'BULLETIN_SCOPE_FIXED',
      );
    }
  } else if (data.reissue) {
    throw new IllegalTransitionError(command.type, state.status, `bulletin ${issued.bulletinId} has not been issued`);
  }
  return [{ type: 'BulletinIssued', data: issued }];
}

function requireScope(value: unknown): BulletinScope {
  const { regionId, campaignId } = (typeof value === 'object' && value !== null ? value : {}) as Record<
    string,
    unknown
  >;
  return { regionId: nullableId(regionId, 'scope.regionId'), campaignId: nullableId(campaignId, 'scope.campaignId') };
}

function requirePeriod(value: unknown, asOf: string): BulletinPeriod {
  const { from, to } = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const period = { from: requireLocalDate(from, 'period.from'), to: requireLocalDate(to, 'period.to') };
  if (period.from > period.to) {
    throw new ValidationError('period.to', 'the period ends before it begins', 'PERIOD_REVERSED');
  }
  const asOfDate: LocalDate = shanghaiDateOf(asOf);
  if (period.to > asOfDate) {
    throw new ValidationError(
      'period.to',
      `the period must end by the day its figures are taken (${asOfDate})`,
      'PERIOD_AFTER_AS_OF',
    );
  }
  return period;
}

function requireFiles(value: unknown): BulletinFile[] {
  if (!Array.isArray(value)) throw new ValidationError('files', 'files must be a list');
  const files = value.map((item: unknown, i): BulletinFile => {
    const file = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
    const field = `files[${i}]`;
    if (typeof file.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(file.sha256))
      throw new ValidationError(`${field}.sha256`, `${field}.sha256 must be a hex SHA-256`);
    if (typeof file.size !== 'number' || !Number.isInteger(file.size) || file.size <= 0)
      throw new ValidationError(`${field}.size`, `${field}.size must be a whole number of bytes above 0`);
    return {
      format: requireOneOf(file.format, BULLETIN_FORMATS, `${field}.format`),
      evidenceId: requireId(file.evidenceId, `${field}.evidenceId`),
      sha256: file.sha256,
      size: file.size,
      fileName: requireText(file.fileName, `${field}.fileName`, TITLE_MAX_LENGTH),
    };
  });
  const formats = files.map((f) => f.format).sort();
  if (!sameValue(formats, [...BULLETIN_FORMATS].sort()))
    throw new ValidationError(
      'files',
      `a bulletin is issued as one file of each format: ${BULLETIN_FORMATS.join(', ')}`,
    );
  return files;
}

export function decideBulletin(command: BulletinCommand, state: BulletinState): BulletinEvent[] {
  switch (command.type) {
    case 'IssueBulletin':
      return issue(command, state);
    default:
      return assertNever(command.type);
  }
}

/** The bulletin (情况通报) stream: `bulletin-<bulletinId>`, one event per version issued. */
export const bulletinDecider: Decider<BulletinCommand, BulletinEvent, BulletinState> = {
  initialState: initialBulletinState,
  evolve: evolveBulletin,
  decide: decideBulletin,
};
