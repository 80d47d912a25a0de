import { Actor, campaignDecider, campaignStreamName, LocalDate, ValidationError } from '@zhenggai/domain';
import { loadStream } from '../command-handling/load-stream';
import { Category, Directory, Region, Unit } from '../directory/directory.port';
import { EventStore } from '../event-store/event-store.port';
import { EvidenceRecord, storedEvidenceIdOf } from '../evidence/evidence-store.port';
import { concernsActor, coversRegion, liesWithin } from '../jurisdiction/jurisdiction';
import { maySeeStream } from '../jurisdiction/stream-reach';

/** What the reference checks read of uploaded evidence: its record, and the streams that cite it. */
export interface EvidenceIndex {
  record(id: string): Promise<EvidenceRecord | null>;
  /** The streams whose events cite the file (whoever may read one of them may read the file). */
  streamsCiting(id: string): Promise<readonly string[]>;
}

export interface ReferenceDeps {
  readonly store: EventStore;
  readonly directory: Directory;
  /** Without it, a command may cite no uploaded file (only material kept elsewhere). */
  readonly evidence?: EvidenceIndex;
}

/** An evidence list as commands carry it. */
type Cited = ReadonlyArray<{ readonly ref: string; readonly sha256?: string }>;

/**
 * The one place that decides whether a reference a command names exists and lies within the actor's reach:
 * regions, units, categories, campaigns and uploaded evidence. What exists outside the actor's reach is
 * refused exactly as what does not exist (same status, code and words), so a refusal tells nothing of the
 * other side of the boundary. Each check names the field as the request names it.
 */
export class References {
  private readonly lists = new Map<string, Promise<unknown>>();

  constructor(private readonly deps: ReferenceDeps) {}

  /** A region within the actor's subtree (an admin's or an unscoped user's: any region). */
  async region(actor: Actor, regionId: string, field: string): Promise<Region> {
    const region = await this.deps.directory.getRegion(regionId);
    if (!region || !(await coversRegion(this.deps.directory, actor, regionId))) {
      throw new ValidationError(field, `region ${regionId} does not exist (GET /api/regions)`, 'UNKNOWN_REGION');
    }
    return region;
  }

  /**
   * A unit that may be given work placed in `placeRegionId`: a unit of a region on that place's path (the
   * village, its town, its county: an office above the place), or of a region within the actor's subtree.
   */
  async unitFor(actor: Actor, placeRegionId: string, unitId: string, field: string): Promise<Unit> {
    const place = await this.deps.directory.getRegion(placeRegionId);
    const unit = await this.deps.directory.getUnit(unitId);
    if (
      !unit ||
      !((place && liesWithin(place, unit.regionId)) || (await coversRegion(this.deps.directory, actor, unit.regionId)))
    ) {
      throw new ValidationError(field, `unit ${unitId} does not exist (GET /api/units)`, 'UNKNOWN_UNIT');
    }
    return unit;
  }

  /**
   * The lead unit and the cooperating units of a task placed in `placeRegionId` (fields `unitId`,
   * `cooperatingUnitIds.<i>`).
   */
  async taskUnits(
    actor: Actor,
    placeRegionId: string,
    leadUnitId: string,
    cooperatingUnitIds: readonly string[],
  ): Promise<void> {
    await this.unitFor(actor, placeRegionId, leadUnitId, 'unitId');
    for (const [i, id] of cooperatingUnitIds.entries())
      await this.unitFor(actor, placeRegionId, id, `cooperatingUnitIds.${i}`);
  }

  /**
   * The units a task is broken down to (fields `subtasks.<i>.unitId`), each of the actor's reach, with the region
   * path of each and of the task's lead unit (the facts the decider judges the subtree rule on) and each one's name
   * (what an untitled sub-task's title says).
   */
  async subtaskUnits(
    actor: Actor,
    leadUnitId: string,
    unitIds: readonly string[],
  ): Promise<{ unitRegionPaths: Record<string, readonly string[]>; unitNames: Record<string, string> }> {
    const paths: Record<string, readonly string[]> = {};
    const names: Record<string, string> = {};
    const regionPathOf = async (unit: Unit) => (await this.deps.directory.getRegion(unit.regionId))?.path ?? null;
    const lead = await this.deps.directory.getUnit(leadUnitId);
    const leadPath = lead && (await regionPathOf(lead));
    if (leadPath) paths[leadUnitId] = leadPath;
    for (const [i, id] of unitIds.entries()) {
      const field = `subtasks.${i}.unitId`;
      const unit = await this.unit(actor, id, field);
      const path = await regionPathOf(unit);
      if (!path) throw new ValidationError(field, `unit ${id} does not exist (GET /api/units)`, 'UNKNOWN_UNIT');
      paths[id] = path;
      names[id] = unit.name;
    }
    return { unitRegionPaths: paths, unitNames: names };
  }

  /**
   * A region as a person writes it (a spreadsheet's 地点): its code (行政区划代码), its name, or its name under its
   * parents' (`王堰镇/蔡郢村`, `阜南县 王堰镇 蔡郢村`), then checked as `region` checks an id. A name that fits
   * more than one region within the actor's reach is refused as ambiguous (`AMBIGUOUS_REGION`).
   */
  async regionWritten(actor: Actor, written: string, field: string): Promise<Region> {
    const text = written.trim();
    const byCode = /^\d{6,12}$/.test(text) ? await this.deps.directory.findRegionByCode(text) : null;
    if (byCode) return this.region(actor, byCode.id, field);
    const names = text.split(/[\s/\\›>|、,，-]+/).filter((name) => name !== '');
    const regions = await this.listed('regions', () => this.deps.directory.listRegions());
    const byId = new Map(regions.map((region) => [region.id, region]));
    const fits = (region: Region) => {
      // The names given above the last are ancestors of it, in order, though not necessarily every one.
      const ancestors = region.path.slice(0, -1).map((id) => byId.get(id)?.name);
      let at = 0;
      for (const name of names.slice(0, -1)) {
        at = ancestors.indexOf(name, at) + 1;
        if (at === 0) return false;
      }
      return true;
    };
    const named = regions.filter((region) => region.name === names[names.length - 1] && fits(region));
    const reached: Region[] = [];
    for (const region of named) if (await coversRegion(this.deps.directory, actor, region.id)) reached.push(region);
    if (reached.length > 1) {
      throw new ValidationError(
        field,
        `more than one region is named ${text}: name its parents too`,
        'AMBIGUOUS_REGION',
      );
    }
    if (reached.length === 0) {
      throw new ValidationError(field, `region ${text} does not exist (GET /api/regions)`, 'UNKNOWN_REGION');
    }
    return this.region(actor, reached[0].id, field);
  }

  /**
   * A unit as a person writes it (its name, or its id), that may be given work placed in `placeRegionId`, as
   * `unitFor` decides. Of units of one name, the one the rule admits; more than one: `AMBIGUOUS_UNIT`.
   */
  async unitWritten(actor: Actor, placeRegionId: string, written: string, field: string): Promise<Unit> {
    const text = written.trim();
    const units = await this.listed('units', () => this.deps.directory.listUnits());
    const named = units.filter((unit) => unit.id === text || unit.name === text);
    const admitted: Unit[] = [];
    for (const unit of named) {
      const found = await this.unitFor(actor, placeRegionId, unit.id, field).catch((error: unknown) => {
        if (error instanceof ValidationError) return null;
        throw error;
      });
      if (found) admitted.push(found);
    }
    if (admitted.length > 1) {
      throw new ValidationError(field, `more than one unit is named ${text}`, 'AMBIGUOUS_UNIT');
    }
    if (admitted.length === 0) {
      throw new ValidationError(field, `unit ${text} does not exist (GET /api/units)`, 'UNKNOWN_UNIT');
    }
    return admitted[0];
  }

  /** A category as a person writes it: its code or its name. */
  async categoryWritten(written: string, field: string): Promise<Category> {
    const text = written.trim();
    const categories = await this.listed('categories', () => this.deps.directory.listCategories());
    const found = categories.find((category) => category.code === text || category.name === text);
    if (!found) {
      throw new ValidationError(field, `category ${text} is not defined (GET /api/categories)`, 'UNKNOWN_CATEGORY');
    }
    return found;
  }

  /** The directory's lists, read once for this instance (one import reads them for all its rows). */
  private listed<T>(key: string, read: () => Promise<T>): Promise<T> {
    let list = this.lists.get(key) as Promise<T> | undefined;
    if (!list) this.lists.set(key, (list = read()));
    return list;
  }

  /** A unit of a region within the actor's subtree (an admin's: any unit). */
  async unit(actor: Actor, unitId: string, field: string): Promise<Unit> {
    const unit = await this.deps.directory.getUnit(unitId);
    if (!unit || !(await coversRegion(this.deps.directory, actor, unit.regionId))) {
      throw new ValidationError(field, `unit ${unitId} does not exist (GET /api/units)`, 'UNKNOWN_UNIT');
    }
    return unit;
  }

  /** A category the admin defined (blank: none named, which the domain judges). */
  async category(code: unknown, field: string): Promise<Category | null> {
    if (typeof code !== 'string' || code.trim() === '') return null;
    const category = await this.deps.directory.findCategoryByCode(code.trim());
    if (!category)
      throw new ValidationError(
        field,
        `category ${code.trim()} is not defined (GET /api/categories)`,
        'UNKNOWN_CATEGORY',
      );
    return category;
  }

  /** A campaign that concerns the actor's region (its scope within the actor's subtree, or above it). */
  async campaign(
    actor: Actor,
    campaignId: string,
    field: string,
  ): Promise<{ campaignId: string; deadline: LocalDate }> {
    const { state } = await loadStream(this.deps.store, campaignDecider, campaignStreamName(campaignId));
    if (state.status === 'none' || !(await concernsActor(this.deps.directory, actor, state.scope.regionId))) {
      throw new ValidationError(
        field,
        `campaign ${campaignId} does not exist (GET /api/campaigns)`,
        'UNKNOWN_CAMPAIGN',
      );
    }
    return { campaignId, deadline: state.deadline };
  }

  /**
   * Every uploaded file an evidence list cites exists, the actor could already read it (it uploaded it, it sees
   * everything, or it may read a stream that cites it), and its SHA-256 is the one given: citing a file never
   * makes it readable to anyone who could not read it before. Material kept elsewhere (a file name, a URL) is
   * not checked here.
   */
  async evidence(actor: Actor, cited: Cited, field: string): Promise<void> {
    if (!Array.isArray(cited)) return;
    for (const [i, item] of cited.entries()) {
      const id = typeof item?.ref === 'string' ? storedEvidenceIdOf(item.ref) : null;
      if (id === null) continue;
      const record = (await this.deps.evidence?.record(id)) ?? null;
      if (!record || !(await this.mayReadEvidence(actor, record))) {
        throw new ValidationError(
          `${field}.${i}.ref`,
          `evidence ${id} does not exist (upload it with POST /api/evidence)`,
          'UNKNOWN_EVIDENCE',
        );
      }
      if (typeof item.sha256 === 'string' && item.sha256.toLowerCase() !== record.sha256) {
        throw new ValidationError(
          `${field}.${i}.sha256`,
          `evidence ${id} has the SHA-256 ${record.sha256}, not ${item.sha256}`,
          'EVIDENCE_HASH_MISMATCH',
        );
      }
    }
  }

  /** Whether the actor may read an uploaded file: the rule for downloading it, and for citing it. */
  async mayReadEvidence(actor: Actor, record: EvidenceRecord): Promise<boolean> {
    if (record.uploadedBy === actor.username) return true;
    if (actor.role !== 'unit' && (await coversRegion(this.deps.directory, actor, null))) return true;
    for (const stream of (await this.deps.evidence?.streamsCiting(record.id)) ?? []) {
      if (await maySeeStream(this.deps, actor, stream)) return true;
    }
    return false;
  }
}
