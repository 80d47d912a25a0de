import {
  Actor,
  BULLETIN_FORMATS,
  bulletinDecider,
  BulletinFile,
  BulletinFormat,
  bulletinStreamName,
  CommandMetadata,
  NotFoundError,
} from '@zhenggai/domain';
import { BulletinContent, BulletinFigures, BulletinRenderer } from '../bulletins/bulletin-document';
import { Clock } from '../clock/clock.port';
import { decideAndAppend, earlierAttemptIn } from '../command-handling/decide-and-append';
import { loadStream } from '../command-handling/load-stream';
import { EvidenceStore, uploadEvidence } from '../evidence/evidence-store.port';
import { newIdFor } from '../ids/command-id';
import { nameBasedId } from '../ids/name-based-id';
import { reachOf } from '../jurisdiction/jurisdiction';
import { References } from '../references/references';
import { UseCaseDeps } from './use-case-deps';

export interface IssueBulletinInput {
  /** A new version of this bulletin (the scope and period stay the first's); absent: a new one. */
  readonly bulletinId?: string;
  readonly title?: string | null;
  readonly scope: { readonly regionId: string | null; readonly campaignId: string | null };
  readonly period: { readonly from: string; readonly to: string };
  readonly asOf: string;
  /** An admin's weekly schedule issuing it (the engine as actor); its id and period name the bulletin. */
  readonly scheduleId?: string;
}

export interface IssueBulletinDeps extends UseCaseDeps {
  readonly bulletins: BulletinContent;
  readonly renderer: BulletinRenderer;
  readonly files: EvidenceStore;
  readonly clock: Clock;
}

export interface IssuedBulletinAnswer {
  readonly id: string;
  readonly revision: number;
  readonly version: number;
  readonly files: readonly BulletinFile[];
  /** The figures the files word (absent when issuing again recorded nothing: the bulletin was issued already). */
  readonly figures?: BulletinFigures;
}

const CONTENT_TYPES: Record<BulletinFormat, string> = {
  pdf: 'application/pdf',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
};

/**
 * 情况通报: checks what the bulletin names (a region and a campaign within the issuer's reach), composes it from the
 * read models as of `asOf`, renders its PDF and DOCX, keeps both with the evidence store and records
 * `BulletinIssued` with their SHA-256. A bulletin issued already under the same id (a schedule's run repeated, a
 * retried request) is answered as it stands, rendered and stored nothing again.
 */
export async function issueBulletin(
  deps: IssueBulletinDeps,
  input: IssueBulletinInput,
  metadata: CommandMetadata,
): Promise<IssuedBulletinAnswer> {
  const { actor } = metadata;
  const reissue = input.bulletinId !== undefined && !input.scheduleId;
  const bulletinId =
    input.bulletinId ?? (input.scheduleId ? scheduledBulletinId(input) : newIdFor(deps.ids, metadata, 'bulletin'));
  const streamName = bulletinStreamName(bulletinId);
  const loaded = await loadStream(deps.store, bulletinDecider, streamName);
  if (reissue && loaded.state.status === 'none') throw new NotFoundError('Bulletin', bulletinId);
  // A scoped issuer's bulletin without a region is of its own region; a new version keeps the first's scope and period.
  const { scope, period } =
    reissue && loaded.state.status === 'issued'
      ? loaded.state
      : { ...input, scope: { ...input.scope, regionId: input.scope.regionId ?? actor.regionScopeId ?? null } };
  const references = new References(deps);
  const region = scope.regionId ? await references.region(actor, scope.regionId, 'scope.regionId') : null;
  if (scope.campaignId) await references.campaign(actor, scope.campaignId, 'scope.campaignId');
  const latest = loaded.events.at(-1)?.data;
  // Issued already: by this very command (a retried request), or, for a new bulletin, by a schedule's earlier run.
  const answeredAt =
    earlierAttemptIn(bulletinDecider, loaded, metadata)?.revision ?? (reissue ? null : loaded.revision);
  const answered = loaded.events.find((e) => e.revision === answeredAt);
  if (answered) {
    const { version, files } = answered.data;
    return { id: bulletinId, revision: answered.revision, version, files };
  }
  const version = (latest?.version ?? 0) + 1;
  const { document, figures } = await deps.bulletins.compose({
    scope,
    period,
    asOf: new Date(input.asOf),
    reach: reachOf(actor),
    issuer: await issuerOf(deps, actor, region?.name ?? null),
    title: input.title ?? latest?.title ?? null,
    version,
  });
  const files: BulletinFile[] = [];
  for (const format of BULLETIN_FORMATS) {
    const bytes = format === 'pdf' ? await deps.renderer.pdf(document) : await deps.renderer.docx(document);
    const fileName = `${document.title}${version > 1 ? `（第${version}版）` : ''}.${format}`;
    const record = await uploadEvidence(
      { store: deps.files, ids: deps.ids, clock: deps.clock },
      {
        bytes,
        contentType: CONTENT_TYPES[format],
        fileName,
        capturedAt: null,
        uploadedBy: actor.username,
        commandId: metadata.commandId && nameBasedId(`bulletin.${format}`, `${metadata.commandId}\n${version}`),
      },
    );
    files.push({ format, evidenceId: record.id, sha256: record.sha256, size: record.size, fileName });
  }
  const result = await decideAndAppend(
    deps.store,
    bulletinDecider,
    streamName,
    {
      type: 'IssueBulletin',
      data: {
        bulletinId,
        title: document.title,
        scope: { ...scope },
        period: { ...period },
        asOf: new Date(input.asOf).toISOString(),
        files,
        scheduleId: input.scheduleId ?? null,
        reissue,
      },
      metadata,
    },
    { loaded, cache: deps.cache },
  );
  if (result.events.length === 0) {
    // Issued meanwhile by another run of the same schedule: the files that count are the ones it recorded.
    const stored = (await loadStream(deps.store, bulletinDecider, streamName)).events.at(-1);
    if (stored)
      return { id: bulletinId, revision: stored.revision, version: stored.data.version, files: stored.data.files };
  }
  return { id: bulletinId, revision: result.revision, version, files, figures };
}

/** A schedule's bulletin of a period: the same id however often the run is repeated. */
export function scheduledBulletinId(input: Pick<IssueBulletinInput, 'scheduleId' | 'period'>): string {
  return nameBasedId('bulletin', `${input.scheduleId}\n${input.period.from}\n${input.period.to}`);
}

/** 发文机关: the issuer's office (its unit), else the office of the region it works in (the top: everywhere). */
async function issuerOf(deps: UseCaseDeps, actor: Actor, regionName: string | null): Promise<string> {
  const unit = actor.unitId ? await deps.directory.getUnit(actor.unitId) : null;
  if (unit) return unit.name;
  const scoped = actor.regionScopeId ? await deps.directory.getRegion(actor.regionScopeId) : null;
  const roots = scoped ? [] : (await deps.directory.listRegions()).filter((r) => r.parentId === null);
  const top = roots.length === 1 ? roots[0].name : null;
  return `${scoped?.name ?? top ?? regionName ?? ''}整改工作领导小组办公室`;
}
