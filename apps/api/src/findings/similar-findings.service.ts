import { Inject, Injectable } from '@nestjs/common';
import { coversRegion, DIRECTORY, Directory, EVENT_STORE, EventStore } from '@zhenggai/application';
import { Actor } from '@zhenggai/domain';
import { FindingSummary, SimilarFinding, similarFindings } from './similar-findings';

/** 举一反三 from the findings' own events (a finding is filed once; resolved and reopened as its tasks go). */
@Injectable()
export class SimilarFindingsService {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(DIRECTORY) private readonly directory: Directory,
  ) {}

  /** Only findings within the actor's region: a scoped inspector looks for the same problem in its own subtree. */
  async similar(query: { category: string; regionId: string; excludeId?: string }, actor: Actor): Promise<SimilarFinding[]> {
    const events = await this.store.readAll({ eventTypePrefixes: ['FindingFiled', 'FindingResolved', 'FindingReopened'] });
    const findings = new Map<string, FindingSummary>();
    for (const event of events) {
      const data = event.data as { findingId: string; title?: string; regionId?: string; category?: string; severity?: string };
      if (event.type === 'FindingFiled') {
        findings.set(data.findingId, {
          id: data.findingId,
          title: data.title ?? '',
          regionId: data.regionId ?? '',
          category: data.category ?? '',
          severity: data.severity ?? '',
          filedAt: event.metadata?.occurredAt ?? event.recordedAt,
          resolved: false,
        });
      } else {
        const known = findings.get(data.findingId);
        if (known) findings.set(data.findingId, { ...known, resolved: event.type === 'FindingResolved' });
      }
    }
    const reachable: FindingSummary[] = [];
    for (const finding of findings.values()) if (await coversRegion(this.directory, actor, finding.regionId)) reachable.push(finding);
    return similarFindings(reachable, await this.directory.listRegions(), query);
  }
}
