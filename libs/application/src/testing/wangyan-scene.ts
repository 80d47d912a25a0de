import { AssignTaskInput } from '../use-cases/assign-task';
import { FileFindingInput } from '../use-cases/file-finding';

/** A finding in 王堰镇 (of `FakeDirectory`), to file in a test; `change` replaces some of its fields. */
export const findingInWangyan = (change: Partial<FileFindingInput> = {}): FileFindingInput => ({
  title: '旱厕未拆除',
  description: '',
  regionId: 'wangyan',
  category: 'roads',
  severity: 'low',
  source: '',
  evidence: [],
  ...change,
});

/** A task on `findingId` for 王堰镇's town government, due 2030-06-30; `change` replaces some of its fields. */
export const assignmentInWangyan = (findingId: string, change: Partial<AssignTaskInput> = {}): AssignTaskInput => ({
  findingId,
  leadUnitId: 'wangyan-town',
  cooperatingUnitIds: [],
  deadline: '2030-06-30',
  measures: '拆除',
  target: null,
  campaignId: null,
  title: null,
  ...change,
});
