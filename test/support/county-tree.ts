import { HttpClient } from './http-client';

/** The demo accounts the county tree is built with (see {@link countyTree}). */
export const COUNTY_TREE_USERS = ['admin', 'inspector', 'housing', 'unit'] as const;

export interface CountyTree {
  readonly campaignId: string;
  readonly regions: Array<{ id: string; name: string; level: string; path: string[] }>;
  /** The county's task, its two towns' sub-tasks (王堰镇, 王家坝镇), and 王堰镇's village sub-task (蔡郢村). */
  readonly ids: { county: string; town: string; neighbour: string; village: string };
  /** Posts as a user, throwing on anything but success. */
  readonly post: (user: string, path: string, body: unknown) => Promise<any>;
}

/**
 * 逐级分解 over HTTP with the demo's accounts: a finding at 阜南县, the campaign 危房改造清零（逐级） (217 households by
 * 30 September 2030), its task to 阜南县住建局 (housing), broken down to 王堰镇 (unit, 200) and 王家坝镇 (10), and
 * 王堰镇's share down to 蔡郢村 (150), not accepted yet. `as` holds a client for each of {@link COUNTY_TREE_USERS}.
 */
export async function countyTree(as: Record<string, HttpClient>): Promise<CountyTree> {
  const post = async (user: string, path: string, body: unknown) => {
    const answer = await as[user].post(path, body);
    if (answer.status >= 300) throw new Error(`${user} ${path}: ${JSON.stringify(answer.body)}`);
    return answer.body;
  };
  const units: Array<{ id: string; name: string }> = (await as.admin.get('/api/units')).body;
  const regions = (await as.admin.get('/api/regions')).body;
  const unit = (name: string) => units.find((u) => u.name === name)!.id;
  const finding = await post('inspector', '/api/findings', {
    title: '阜南县危房改造未清零',
    regionId: regions.find((r: { name: string }) => r.name === '阜南县')!.id,
    category: 'dangerous-housing',
    severity: 'high',
  });
  const campaignId = (
    await post('inspector', '/api/campaigns', {
      name: '危房改造清零（逐级）',
      deadline: '2030-09-30',
      targets: [{ label: '危房改造', quantity: 217, unit: '户' }],
    })
  ).id;
  const county = (
    await post('inspector', `/api/findings/${finding.id}/tasks`, {
      campaignId,
      unitId: unit('阜南县住房和城乡建设局'),
      deadline: '2030-09-30',
      measures: '危房改造清零',
      target: { quantity: 217, unit: '户' },
    })
  ).id;
  await post('housing', `/api/tasks/${county}/accept`, {});
  const split = await post('housing', `/api/tasks/${county}/subtasks`, {
    subtasks: [
      { unitId: unit('王堰镇人民政府'), deadline: '2030-09-20', measures: '逐户拆除', share: 200 },
      { unitId: unit('王家坝镇人民政府'), deadline: '2030-09-15', measures: '逐户拆除', share: 10 },
    ],
  });
  const [town, neighbour] = split.subtasks.map((s: { id: string }) => s.id);
  await post('unit', `/api/tasks/${town}/accept`, {});
  const village = (
    await post('unit', `/api/tasks/${town}/subtasks`, {
      subtasks: [{ unitId: unit('蔡郢村民委员会'), deadline: '2030-09-10', measures: '逐户拆除', share: 150 }],
    })
  ).subtasks[0].id;
  return { campaignId, regions, ids: { county, town, neighbour, village }, post };
}
