import { Command, EvidenceRef } from '../shared';
import { TaskStatus } from '../rectification-task';
import type { Severity } from './finding.state';

/** 问题: what an inspection found, filed by an inspector. */
export type FileFinding = Command<
  'FileFinding',
  {
    findingId: string;
    title: string;
    description: string;
    regionId: string;
    category: string;
    severity: Severity;
    /** Where the finding comes from, e.g. the inspection round or the supervision team. */
    source: string;
    evidence: readonly EvidenceRef[];
  }
>;

/** Issued when a rectification task is assigned for this finding. */
export type LinkTaskToFinding = Command<'LinkTaskToFinding', { taskId: string }>;

/**
 * Issued by the system whenever a linked task changes status, with the current status of the finding's tasks:
 * the finding is resolved once every one of them is closed (or cancelled), and reopened when one comes back.
 */
export type ReconcileFindingResolution = Command<
  'ReconcileFindingResolution',
  { tasks: readonly { taskId: string; status: TaskStatus }[] }
>;

export type FindingCommand = FileFinding | LinkTaskToFinding | ReconcileFindingResolution;
