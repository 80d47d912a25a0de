import {
  assignTask,
  AssignTaskInput,
  breakDownTask,
  BreakDownTaskInput,
  executeTaskCommand,
  fileFinding,
  FileFindingInput,
  launchCampaign,
  LaunchCampaignInput,
  TaskLifecycleCommand,
  UseCaseDeps,
} from '@zhenggai/application';
import { Actor, addDays, CommandMetadata, shanghaiDateOf } from '@zhenggai/domain';
import { randomUUID } from 'node:crypto';
import { Infrastructure, useCaseDeps } from '../infrastructure/infrastructure';
import { seedDemoDirectory } from './demo-directory-seed';

type Lifecycle = TaskLifecycleCommand['type'];
type DataOf<T extends Lifecycle> = Extract<TaskLifecycleCommand, { type: T }>['data'];

/** Replays commands through the real use cases, each at the instant the story says it happened. */
class Storyteller {
  private now = '';

  constructor(
    private readonly deps: UseCaseDeps,
    private readonly actors: Map<string, Actor>,
  ) {}

  at(instant: string): this {
    this.now = new Date(instant).toISOString();
    return this;
  }

  private metadata(username: string): CommandMetadata {
    const actor = this.actors.get(username);
    if (!actor) throw new Error(`no demo actor ${username}`);
    return { actor, now: this.now, correlationId: randomUUID(), causationId: null };
  }

  async file(by: string, input: FileFindingInput): Promise<string> {
    return (await fileFinding(this.deps, input, this.metadata(by))).id;
  }

  async launch(by: string, input: LaunchCampaignInput): Promise<string> {
    return (await launchCampaign(this.deps, input, this.metadata(by))).id;
  }

  async assign(
    by: string,
    input: Omit<AssignTaskInput, 'cooperatingUnitIds' | 'target' | 'campaignId' | 'title'> & Partial<AssignTaskInput>,
  ) {
    const full: AssignTaskInput = { cooperatingUnitIds: [], target: null, campaignId: null, title: null, ...input };
    return (await assignTask(this.deps, full, this.metadata(by))).id;
  }

  async breakDown(
    by: string,
    taskId: string,
    subtasks: ReadonlyArray<Omit<BreakDownTaskInput['subtasks'][number], 'title'> & { title: string }>,
  ): Promise<string[]> {
    return (await breakDownTask(this.deps, { taskId, subtasks }, this.metadata(by))).subtasks.map((s) => s.id);
  }

  async task<T extends Lifecycle>(by: string, taskId: string, type: T, data: DataOf<T>): Promise<void> {
    await executeTaskCommand(this.deps, taskId, { type, data, metadata: this.metadata(by) } as TaskLifecycleCommand);
  }
}

const photo = (ref: string, name: string) => ({ ref, name });
const SHANGHAI = (date: string, time = '10:00') => `${date}T${time}:00+08:00`;

/**
 * The demo data tells the seed article's story (../shared/seed/fuyang-meeting-2018.txt): the 16 May 2018
 * inspection of Caiying village found it dirty, messy and poor; two months later 217 households / 696 rooms of
 * old housing were demolished, 407 dry toilets removed, 20.32 km of ditches and ponds dredged and 2,200 mu of
 * land transferred. At the 17 July meeting the city set the dangerous-housing deadline (end of September) and
 * the 四个一 works (every village by year end). Both run down the chain as they did (逐级分解): the city assigns each
 * to the county, the county breaks it down to its towns, the towns to their villages, and each level verifies the
 * level below before it reports up; at the deadline 王家坝镇 and its 王家坝村 are behind, and so the county is. Some
 * tasks close on time, some late, one is sent back, one extension is approved and one refused; and a recent 回头看
 * (look-back) leaves tasks open and due in the coming days, relative to `today`.
 */
export async function seedDemo(infra: Infrastructure): Promise<{ findings: number; tasks: number }> {
  const { region, unit, actors } = await seedDemoDirectory(infra);
  const story = new Storyteller(useCaseDeps(infra), actors);
  const today = shanghaiDateOf(infra.clock.now());
  let tasks = 0;
  const assign: Storyteller['assign'] = async (by, input) => {
    tasks++;
    return story.assign(by, input);
  };
  const breakDown: Storyteller['breakDown'] = async (by, taskId, subtasks) => {
    tasks += subtasks.length;
    return story.breakDown(by, taskId, subtasks);
  };
  const source = '市委督查组 2018年5月16日实地督查（李平带队）';

  // 16 May 2018: the inspection of Caiying village.
  story.at(SHANGHAI('2018-05-16', '16:30'));
  const housing = await story.file('inspector', {
    title: '蔡郢村破旧房屋散乱无序',
    description: '大史郢庄、万庄破旧房屋、危旧房散乱无序，存在安全隐患。',
    regionId: region.caiying,
    category: 'old-housing',
    severity: 'high',
    source,
    evidence: [photo('demo/2018-05-16/dashiying-houses.jpg', '大史郢庄破旧房屋')],
  });
  const toilets = await story.file('inspector', {
    title: '旱厕未改造，影响人居环境',
    description: '村内旱厕数量多，卫生条件差。',
    regionId: region.caiying,
    category: 'sanitation',
    severity: 'medium',
    source,
    evidence: [],
  });
  const ponds = await story.file('inspector', {
    title: '沟塘淤积，水体脏乱',
    description: '沟塘水渠淤塞，垃圾漂浮。',
    regionId: region.caiying,
    category: 'ponds-ditches',
    severity: 'medium',
    source,
    evidence: [],
  });
  const environment = await story.file('inspector', {
    title: '垃圾柴垛随处堆放，道路坑坑洼洼',
    description: '村庄环境脏乱差，入户道路未硬化。',
    regionId: region.caiying,
    category: 'village-environment',
    severity: 'high',
    source,
    evidence: [],
  });
  const industry = await story.file('inspector', {
    title: '产业发展薄弱，土地零散撂荒',
    description: '缺少扶贫产业，贫困劳动力就业渠道少。',
    regionId: region.caiying,
    category: 'industry',
    severity: 'medium',
    source,
    evidence: [],
  });

  // 17 May: 交办.
  story.at(SHANGHAI('2018-05-17', '09:00'));
  const tHousing = await assign('inspector', {
    findingId: housing,
    leadUnitId: unit.wangyan,
    cooperatingUnitIds: [unit.caiying],
    deadline: '2018-07-15',
    measures: '拆除破旧房屋，一户一方案，拆后复垦或绿化',
    target: { quantity: 217, unit: '户' },
    title: '拆除破旧房屋217户（696间）',
  });
  const tToilets = await assign('inspector', {
    findingId: toilets,
    leadUnitId: unit.caiying,
    cooperatingUnitIds: [unit.wangyan],
    deadline: '2018-07-10',
    measures: '拆除旱厕，建设公厕和雨污管道',
    target: { quantity: 407, unit: '个' },
  });
  const tPonds = await assign('inspector', {
    findingId: ponds,
    leadUnitId: unit.wangyan,
    deadline: '2018-07-10',
    measures: '清淤沟塘水渠，清理平整',
    target: { quantity: 20.32, unit: '公里' },
  });
  const tEnvironment = await assign('inspector', {
    findingId: environment,
    leadUnitId: unit.caiying,
    deadline: '2018-06-30',
    measures: '清理垃圾柴垛，硬化入户道路，房前屋后绿化',
  });
  const tIndustry = await assign('inspector', {
    findingId: industry,
    leadUnitId: unit.wangyan,
    cooperatingUnitIds: [unit.caiying],
    deadline: '2018-07-15',
    measures: '流转土地，开工建设扶贫车间',
    target: { quantity: 2200, unit: '亩' },
  });

  story.at(SHANGHAI('2018-05-18', '08:30'));
  await story.task('unit', tHousing, 'AcceptRectificationTask', {});
  // The town hands the demolition itself to the village (分解): 蔡郢村 answers to 王堰镇, and 王堰镇 to the city.
  const [tHousingCaiying] = await breakDown('unit', tHousing, [
    {
      unitId: unit.caiying,
      deadline: '2018-07-10',
      measures: '大史郢庄、万庄先行，分三批拆除，拆后复垦绿化',
      share: 217,
      title: '蔡郢村拆除破旧房屋217户（696间）',
    },
  ]);
  await story.task('caiying', tHousingCaiying, 'AcceptRectificationTask', {});
  await story.task('unit', tPonds, 'AcceptRectificationTask', {});
  await story.task('unit', tIndustry, 'AcceptRectificationTask', {});
  await story.task('caiying', tToilets, 'AcceptRectificationTask', {});
  await story.task('caiying', tEnvironment, 'AcceptRectificationTask', {});
  story.at(SHANGHAI('2018-05-20'));
  await story.task('unit', tHousing, 'RecordRectificationPlan', {
    plan: '一户一方案：大史郢庄、万庄先行，分三批拆除，拆后复垦绿化',
  });
  await story.task('caiying', tToilets, 'RecordRectificationPlan', {
    plan: '逐户拆除旱厕，同步建设公厕、雨污管道和污水处理设施',
  });
  await story.task('unit', tPonds, 'RecordRectificationPlan', { plan: '分片清淤，机械为主、人工为辅' });
  await story.task('caiying', tEnvironment, 'RecordRectificationPlan', {
    plan: '全员参战，清理垃圾柴垛，硬化入户道路',
  });
  await story.task('unit', tIndustry, 'RecordRectificationPlan', {
    plan: '通过复垦土地指标交易筹资，流转土地，建设扶贫车间',
  });

  story.at(SHANGHAI('2018-06-10'));
  await story.task('caiying', tHousingCaiying, 'ReportRectificationProgress', {
    quantityDone: 120,
    note: '已拆除120户',
    evidence: [photo('demo/2018-06-10/wanzhuang.jpg', '万庄拆除现场')],
  });
  await story.task('caiying', tToilets, 'ReportRectificationProgress', {
    quantityDone: 210,
    note: '已拆除旱厕210个',
    evidence: [],
  });
  await story.task('unit', tPonds, 'ReportRectificationProgress', {
    quantityDone: 8.5,
    note: '已清淤8.5公里',
    evidence: [],
  });
  await story.task('unit', tIndustry, 'ReportRectificationProgress', {
    quantityDone: 1300,
    note: '已流转土地1300亩',
    evidence: [],
  });

  story.at(SHANGHAI('2018-06-28'));
  await story.task('caiying', tEnvironment, 'SubmitRectification', {
    report: '垃圾柴垛全部清理，入户道路全部硬化，房前屋后绿化成林',
    evidence: [photo('demo/2018-06-28/roads.jpg', '入户道路硬化后')],
    quantityDone: null,
  });
  story.at(SHANGHAI('2018-06-29', '15:00'));
  await story.task('inspector', tEnvironment, 'VerifyRectification', { note: '现场核查，整治到位，同意销号' });

  story.at(SHANGHAI('2018-07-05'));
  await story.task('caiying', tHousingCaiying, 'SubmitRectification', {
    report: '217户696间全部拆除，拆后复垦绿化',
    evidence: [photo('demo/2018-07-05/dashiying-after.jpg', '大史郢庄拆除后')],
    quantityDone: 217,
  });
  await story.task('caiying', tToilets, 'SubmitRectification', {
    report: '拆除旱厕407个，公厕、雨污管道建成',
    evidence: [photo('demo/2018-07-05/toilets.jpg', '公厕建成')],
    quantityDone: 407,
  });
  story.at(SHANGHAI('2018-07-07'));
  await story.task('unit', tHousingCaiying, 'VerifyRectification', { note: '镇里逐户验收，拆除到位' });
  story.at(SHANGHAI('2018-07-08'));
  await story.task('unit', tHousing, 'SubmitRectification', {
    report: '拆除破旧房屋217户696间，拆后复垦绿化',
    evidence: [photo('demo/2018-07-08/report.pdf', '整改报告')],
    quantityDone: null,
  });
  await story.task('unit', tPonds, 'SubmitRectification', {
    report: '沟塘清淤完成',
    evidence: [photo('demo/2018-07-08/ponds.jpg', '清淤后沟塘')],
    quantityDone: 20.32,
  });
  story.at(SHANGHAI('2018-07-09', '11:00'));
  await story.task('inspector', tToilets, 'VerifyRectification', { note: '核查属实，同意销号' });
  await story.task('inspector', tPonds, 'SendBackRectification', {
    reason: '佐证材料不全：缺少清淤前后对比照片和验收单',
  });
  story.at(SHANGHAI('2018-07-10', '09:00'));
  const industryExtension = infra.ids.newId();
  await story.task('unit', tIndustry, 'RequestDeadlineExtension', {
    requestId: industryExtension,
    requestedDeadline: '2018-07-31',
    reason: '部分农户流转合同尚待签订，扶贫车间主体在建',
  });
  story.at(SHANGHAI('2018-07-11', '10:00'));
  await story.task('inspector', tIndustry, 'ApproveDeadlineExtension', { requestId: industryExtension });
  story.at(SHANGHAI('2018-07-12', '16:00'));
  await story.task('inspector', tHousing, 'VerifyRectification', { note: '逐户核查，拆除到位，同意销号' });
  story.at(SHANGHAI('2018-07-13'));
  await story.task('unit', tPonds, 'SubmitRectification', {
    report: '补充清淤前后对比照片及验收单',
    evidence: [
      photo('demo/2018-07-13/ponds-before-after.jpg', '对比照片'),
      photo('demo/2018-07-13/acceptance.pdf', '验收单'),
    ],
    quantityDone: null,
  });
  story.at(SHANGHAI('2018-07-16', '10:00'));
  await story.task('inspector', tPonds, 'VerifyRectification', { note: '补充材料齐全，同意销号（逾期）' });
  // By the 17 July meeting 2,200 mu were transferred and the workshop begun, as the article reports.
  story.at(SHANGHAI('2018-07-16', '16:00'));
  await story.task('unit', tIndustry, 'ReportRectificationProgress', {
    quantityDone: 2200,
    note: '流转土地2200亩，扶贫车间开工建设',
    evidence: [],
  });
  await story.task('unit', tIndustry, 'SubmitRectification', {
    report: '流转土地2200亩，扶贫车间已开工',
    evidence: [photo('demo/2018-07-16/workshop.jpg', '扶贫车间')],
    quantityDone: null,
  });
  story.at(SHANGHAI('2018-07-20'));
  await story.task('inspector', tIndustry, 'VerifyRectification', { note: '同意销号' });

  // 17-18 July 2018: the city meeting sets the campaigns.
  story.at(SHANGHAI('2018-07-18', '09:00'));
  const dangerousHousing = await story.launch('inspector', {
    name: '危房改造清零',
    description: '补齐危房改造的短板，确保在9月底前完成消除危房目标',
    deadline: '2018-09-30',
    scope: { regionId: region.funan, category: 'dangerous-housing' },
    targets: [{ label: '危房改造', quantity: 313, unit: '户' }],
  });
  const fourOnes = await story.launch('inspector', {
    name: '“四个一”整治全覆盖',
    description: '一条文明路、一口干净塘、一块文化墙、一个小广场，全县所有村庄年底前全覆盖',
    deadline: '2018-12-31',
    scope: { regionId: region.funan, category: 'four-ones' },
    targets: [{ label: '完成“四个一”建设的村庄', quantity: 43, unit: '个' }],
  });
  const slowHousing = await story.file('inspector', {
    title: '危房改造进度滞后',
    description: '部分乡镇危房改造进度慢于序时进度。',
    regionId: region.funan,
    category: 'dangerous-housing',
    severity: 'high',
    source: '全市脱贫攻坚工作推进会（2018年7月17日）',
    evidence: [],
  });
  // 交办 to the county, which answers for all of it: 阜南县住建局 leads 危房改造 and breaks it down to the towns, the
  // towns to their villages (逐级分解); each level checks the level below before it reports up.
  const tDhCounty = await assign('inspector', {
    findingId: slowHousing,
    leadUnitId: unit.housing,
    deadline: '2018-09-30',
    measures: '危房改造，一户一方案，逐级分解到镇、村',
    target: { quantity: 313, unit: '户' },
    campaignId: dangerousHousing,
    title: '阜南县危房改造清零',
  });
  const fourOnesGap = await story.file('inspector', {
    title: '村庄“四个一”建设未全覆盖',
    description: '一条文明路、一口干净塘、一块文化墙、一个小广场建设进度不一。',
    regionId: region.funan,
    category: 'four-ones',
    severity: 'medium',
    source: '全市脱贫攻坚工作推进会（2018年7月17日）',
    evidence: [],
  });
  // Counted in villages, as the campaign's target is: the county government answers for all 43 and shares them out.
  const tFourCounty = await assign('inspector', {
    findingId: fourOnesGap,
    leadUnitId: unit.funanGov,
    cooperatingUnitIds: [unit.housing],
    deadline: '2018-12-31',
    measures: '全县村庄建设一条文明路、一口干净塘、一块文化墙、一个小广场',
    target: { quantity: 43, unit: '个' },
    campaignId: fourOnes,
    title: '阜南县村庄“四个一”全覆盖',
  });

  story.at(SHANGHAI('2018-07-19', '08:30'));
  await story.task('housing', tDhCounty, 'AcceptRectificationTask', {});
  await story.task('funan', tFourCounty, 'AcceptRectificationTask', {});
  story.at(SHANGHAI('2018-07-19', '10:00'));
  const [tDhWangyan, tDhWangjiaba, tDhCaoji] = await breakDown('housing', tDhCounty, [
    {
      unitId: unit.wangyan,
      deadline: '2018-09-30',
      measures: '危房改造，一户一方案',
      share: 86,
      title: '王堰镇危房改造清零',
    },
    {
      unitId: unit.wangjiaba,
      deadline: '2018-09-30',
      measures: '危房改造，行蓄洪区庄台统筹',
      share: 132,
      title: '王家坝镇危房改造清零',
    },
    { unitId: unit.caoji, deadline: '2018-09-25', measures: '危房改造', share: 95, title: '曹集镇危房改造清零' },
  ]);
  const [tFourWangyan, tFourWangjiaba, tFourCaoji] = await breakDown('funan', tFourCounty, [
    {
      unitId: unit.wangyan,
      deadline: '2018-12-31',
      measures: '全镇18个村“四个一”建设',
      share: 18,
      title: '王堰镇村庄“四个一”全覆盖',
    },
    // 王家坝镇's villages lie in the flood-storage area, whose platforms (庄台) the county's 住建局 plans anyway.
    {
      unitId: unit.housing,
      deadline: '2018-12-31',
      measures: '王家坝镇21个村“四个一”建设，行蓄洪区庄台由县住建局牵头统筹，王家坝镇配合',
      share: 21,
      title: '王家坝镇村庄“四个一”全覆盖（县住建局牵头）',
    },
    {
      unitId: unit.caoji,
      deadline: '2018-12-31',
      measures: '尚未建成的4个村“四个一”建设',
      share: 4,
      title: '曹集镇村庄“四个一”全覆盖',
    },
  ]);

  story.at(SHANGHAI('2018-07-20', '08:30'));
  await story.task('unit', tDhWangyan, 'AcceptRectificationTask', {});
  await story.task('wangjiaba', tDhWangjiaba, 'AcceptRectificationTask', {});
  await story.task('caoji', tDhCaoji, 'AcceptRectificationTask', {});
  await story.task('unit', tFourWangyan, 'AcceptRectificationTask', {});
  await story.task('caoji', tFourCaoji, 'AcceptRectificationTask', {});
  await story.task('housing', tFourWangjiaba, 'AcceptRectificationTask', {});
  story.at(SHANGHAI('2018-07-20', '10:00'));
  // Each town keeps part of the work as its own and hands a village its share.
  const [tDhCaiying] = await breakDown('unit', tDhWangyan, [
    {
      unitId: unit.caiying,
      deadline: '2018-09-20',
      measures: '危房改造，一户一方案',
      share: 24,
      title: '蔡郢村危房改造',
    },
  ]);
  const [tDhWangjiabacun] = await breakDown('wangjiaba', tDhWangjiaba, [
    {
      unitId: unit.wangjiabacun,
      deadline: '2018-09-30',
      measures: '庄台危房改造，整体搬迁户先行',
      share: 40,
      title: '王家坝村危房改造',
    },
  ]);
  // Caiying (the pilot) is one of 王堰镇's 18 villages, due two months before the rest.
  const [tFourCaiying] = await breakDown('unit', tFourWangyan, [
    {
      unitId: unit.caiying,
      deadline: '2018-10-31',
      measures: '建设一条文明路、一口干净塘、一块文化墙、一个小广场',
      share: 1,
      title: '蔡郢村“四个一”建设',
    },
  ]);
  story.at(SHANGHAI('2018-07-21', '08:30'));
  await story.task('caiying', tDhCaiying, 'AcceptRectificationTask', {});
  await story.task('wangjiabacun', tDhWangjiabacun, 'AcceptRectificationTask', {});
  await story.task('caiying', tFourCaiying, 'AcceptRectificationTask', {});
  // The article found Caiying's roads hardened, its ponds cleaned and its squares built by the meeting: only the
  // culture wall was left.
  await story.task('caiying', tFourCaiying, 'ReportRectificationProgress', {
    quantityDone: null,
    note: '文明路、干净塘、小广场已建成，文化墙在建',
    evidence: [],
  });

  story.at(SHANGHAI('2018-08-10'));
  await story.task('caiying', tFourCaiying, 'SubmitRectification', {
    report: '文化墙建成，文明路、干净塘、文化墙、小广场全部建成',
    evidence: [photo('demo/2018-08-10/culture-wall.jpg', '文化墙')],
    quantityDone: 1,
  });
  story.at(SHANGHAI('2018-08-13'));
  await story.task('unit', tFourCaiying, 'VerifyRectification', { note: '镇里验收合格' });

  story.at(SHANGHAI('2018-08-20'));
  await story.task('unit', tDhWangyan, 'ReportRectificationProgress', {
    quantityDone: 35,
    note: '镇直接实施的62户已完成35户',
    evidence: [],
  });
  await story.task('caiying', tDhCaiying, 'ReportRectificationProgress', {
    quantityDone: 15,
    note: '已完成15户',
    evidence: [],
  });
  await story.task('wangjiaba', tDhWangjiaba, 'ReportRectificationProgress', {
    quantityDone: 45,
    note: '镇直接实施的92户已完成45户',
    evidence: [],
  });
  await story.task('wangjiabacun', tDhWangjiabacun, 'ReportRectificationProgress', {
    quantityDone: 16,
    note: '已完成16户',
    evidence: [],
  });
  await story.task('caoji', tDhCaoji, 'ReportRectificationProgress', {
    quantityDone: 70,
    note: '已完成70户',
    evidence: [],
  });
  await story.task('housing', tFourWangjiaba, 'ReportRectificationProgress', {
    quantityDone: 9,
    note: '9个村已建成',
    evidence: [],
  });
  await story.task('caoji', tFourCaoji, 'ReportRectificationProgress', {
    quantityDone: 1,
    note: '1个村已建成，3个村在建',
    evidence: [],
  });
  story.at(SHANGHAI('2018-09-14'));
  await story.task('caiying', tDhCaiying, 'SubmitRectification', {
    report: '24户危房改造全部完成',
    evidence: [photo('demo/2018-09-14/caiying.jpg', '改造后住房')],
    quantityDone: 24,
  });
  story.at(SHANGHAI('2018-09-15'));
  await story.task('unit', tDhCaiying, 'VerifyRectification', { note: '逐户核查，镇里验收合格' });
  story.at(SHANGHAI('2018-09-20'));
  // A town cannot be given more time than the county has: the county asks the city, which refuses.
  const countyExtension = infra.ids.newId();
  await story.task('housing', tDhCounty, 'RequestDeadlineExtension', {
    requestId: countyExtension,
    requestedDeadline: '2018-10-31',
    reason: '王家坝镇汛期影响施工，部分庄台危房需整体搬迁',
  });
  await story.task('caoji', tDhCaoji, 'SubmitRectification', {
    report: '95户危房改造全部完成',
    evidence: [photo('demo/2018-09-20/caoji.jpg', '改造后住房')],
    quantityDone: 95,
  });
  story.at(SHANGHAI('2018-09-22'));
  await story.task('inspector', tDhCounty, 'RefuseDeadlineExtension', {
    requestId: countyExtension,
    reason: '危房清零时限不能突破，请加派力量',
  });
  story.at(SHANGHAI('2018-09-24'));
  await story.task('housing', tDhCaoji, 'VerifyRectification', { note: '县住建局验收合格' });
  story.at(SHANGHAI('2018-09-26'));
  await story.task('unit', tDhWangyan, 'SubmitRectification', {
    report: '86户危房改造全部完成（镇直接实施62户，蔡郢村24户已验收）',
    evidence: [photo('demo/2018-09-26/wangyan.jpg', '改造后住房')],
    quantityDone: 62,
  });
  story.at(SHANGHAI('2018-09-28'));
  await story.task('housing', tDhWangyan, 'VerifyRectification', { note: '县住建局验收合格' });
  // The deadline: 王家坝镇 and its 王家坝村 are behind.
  story.at(SHANGHAI('2018-09-30', '18:00'));
  await story.task('wangjiaba', tDhWangjiaba, 'ReportRectificationProgress', {
    quantityDone: 84,
    note: '截至9月30日镇直接实施的92户完成84户，剩余8户正在施工',
    evidence: [],
  });
  await story.task('wangjiabacun', tDhWangjiabacun, 'ReportRectificationProgress', {
    quantityDone: 34,
    note: '截至9月30日完成34户，剩余6户整体搬迁',
    evidence: [],
  });
  story.at(SHANGHAI('2018-10-04'));
  await story.task('wangjiabacun', tDhWangjiabacun, 'SubmitRectification', {
    report: '40户危房改造全部完成',
    evidence: [photo('demo/2018-10-04/wangjiacun.jpg', '搬迁安置房')],
    quantityDone: 40,
  });
  story.at(SHANGHAI('2018-10-05'));
  await story.task('wangjiaba', tDhWangjiabacun, 'VerifyRectification', { note: '镇里验收合格（逾期5天）' });
  story.at(SHANGHAI('2018-10-06'));
  await story.task('wangjiaba', tDhWangjiaba, 'SubmitRectification', {
    report: '132户危房改造全部完成（镇直接实施92户，王家坝村40户已验收）',
    evidence: [photo('demo/2018-10-06/wangjiaba.jpg', '改造后住房')],
    quantityDone: 92,
  });
  story.at(SHANGHAI('2018-10-08'));
  await story.task('housing', tDhWangjiaba, 'VerifyRectification', { note: '县住建局验收合格（逾期8天）' });
  await story.task('housing', tDhCounty, 'SubmitRectification', {
    report: '全县313户危房改造全部完成',
    evidence: [photo('demo/2018-10-08/funan.pdf', '县级验收报告')],
    quantityDone: null,
  });
  story.at(SHANGHAI('2018-10-09'));
  await story.task('inspector', tDhCounty, 'VerifyRectification', { note: '同意销号（逾期9天）' });

  story.at(SHANGHAI('2018-11-30'));
  await story.task('caoji', tFourCaoji, 'SubmitRectification', {
    report: '4个村“四个一”全部建成',
    evidence: [photo('demo/2018-11-30/caoji.jpg', '文明路')],
    quantityDone: 4,
  });
  story.at(SHANGHAI('2018-12-04'));
  await story.task('funan', tFourCaoji, 'VerifyRectification', { note: '县里验收合格' });
  story.at(SHANGHAI('2018-12-20'));
  await story.task('housing', tFourWangjiaba, 'SubmitRectification', {
    report: '21个村“四个一”建成',
    evidence: [photo('demo/2018-12-20/wangjiaba.jpg', '文化墙')],
    quantityDone: 21,
  });
  story.at(SHANGHAI('2018-12-28'));
  await story.task('funan', tFourWangjiaba, 'VerifyRectification', { note: '县里验收合格' });
  story.at(SHANGHAI('2018-12-29'));
  await story.task('unit', tFourWangyan, 'ReportRectificationProgress', {
    quantityDone: 14,
    note: '其余17个村中14个已建成，3个村文化墙在建',
    evidence: [],
  });
  story.at(SHANGHAI('2019-01-06'));
  await story.task('unit', tFourWangyan, 'SubmitRectification', {
    report: '全镇18个村“四个一”全部建成（蔡郢村已验收）',
    evidence: [photo('demo/2019-01-06/wangyan.jpg', '验收照片')],
    quantityDone: 17,
  });
  story.at(SHANGHAI('2019-01-08'));
  await story.task('funan', tFourWangyan, 'VerifyRectification', { note: '县里验收合格（逾期）' });
  await story.task('funan', tFourCounty, 'SubmitRectification', {
    report: '全县43个村“四个一”全部建成',
    evidence: [photo('demo/2019-01-08/funan.pdf', '县级验收报告')],
    quantityDone: null,
  });
  story.at(SHANGHAI('2019-01-10'));
  await story.task('inspector', tFourCounty, 'VerifyRectification', { note: '同意销号（逾期）' });

  // A recent 回头看 (look-back): open tasks due in the coming days, relative to today.
  const day = (offset: number, time = '10:00') => SHANGHAI(addDays(today, offset), time);
  story.at(day(-12));
  await story.task('inspector', tHousing, 'ReopenRectificationTask', {
    reason: '回头看发现部分拆除户出现违建反弹',
    deadline: addDays(today, 5),
  });
  const employment = await story.file('inspector', {
    title: '扶贫车间贫困劳动力就业占比未达50%',
    description: '蔡郢村扶贫车间就业贫困劳动力占比不足50%。',
    regionId: region.caiying,
    category: 'employment',
    severity: 'medium',
    source: '回头看督查',
    evidence: [],
  });
  const water = await story.file('inspector', {
    title: '部分农户饮水安全不达标',
    description: '蔡郢村及周边部分农户饮水水质检测不达标。',
    regionId: region.caiying,
    category: 'drinking-water',
    severity: 'high',
    source: '回头看督查',
    evidence: [],
  });
  story.at(day(-11));
  const tEmployment = await assign('inspector', {
    findingId: employment,
    leadUnitId: unit.wangyan,
    deadline: addDays(today, 2),
    measures: '优先招用贫困劳动力，开发公益性岗位',
    target: { quantity: 50, unit: '%' },
  });
  const tWorkshopRecords = await assign('inspector', {
    findingId: employment,
    leadUnitId: unit.wangyan,
    deadline: addDays(today, 6),
    measures: '完善扶贫车间用工台账',
    title: '完善扶贫车间用工台账',
  });
  const tWater = await assign('inspector', {
    findingId: water,
    leadUnitId: unit.housing,
    cooperatingUnitIds: [unit.caiying],
    deadline: addDays(today, -1),
    measures: '管网延伸入户，水质复检',
    target: { quantity: 45, unit: '户' },
  });
  await assign('inspector', {
    findingId: water,
    leadUnitId: unit.caiying,
    deadline: addDays(today, 8),
    measures: '建立村级供水设施日常巡查制度',
    title: '建立供水设施巡查制度',
  });
  // Meanwhile in 临泉县: a task 阜南县's own users never see.
  const roads = await story.file('inspector', {
    title: '村组道路未硬化，雨天泥泞',
    description: '姜寨镇部分村组道路未硬化，群众出行不便。',
    regionId: region.jiangzhai,
    category: 'roads',
    severity: 'medium',
    source: '回头看督查',
    evidence: [],
  });
  const tRoads = await assign('inspector', {
    findingId: roads,
    leadUnitId: unit.jiangzhai,
    deadline: addDays(today, 4),
    measures: '村组道路硬化，完善排水',
    target: { quantity: 3.6, unit: '公里' },
  });
  story.at(day(-10));
  await story.task('unit', tHousing, 'ReportRectificationProgress', {
    quantityDone: null,
    note: '已拆除违建反弹点位，正在复核',
    evidence: [],
  });
  await story.task('unit', tEmployment, 'AcceptRectificationTask', {});
  await story.task('unit', tWorkshopRecords, 'AcceptRectificationTask', {});
  await story.task('housing', tWater, 'AcceptRectificationTask', {});
  await story.task('jiangzhai', tRoads, 'AcceptRectificationTask', {});
  story.at(day(-8));
  await story.task('unit', tEmployment, 'RecordRectificationPlan', {
    plan: '新增公益性岗位12个，车间优先招用贫困劳动力',
  });
  await story.task('unit', tWorkshopRecords, 'RecordRectificationPlan', {
    plan: '逐人核对用工信息，建立按月更新的用工台账',
  });
  await story.task('housing', tWater, 'ReportRectificationProgress', {
    quantityDone: 30,
    note: '已完成30户管网入户',
    evidence: [],
  });
  story.at(day(-2));
  await story.task('unit', tEmployment, 'ReportRectificationProgress', {
    quantityDone: 42,
    note: '贫困劳动力占比提升至42%',
    evidence: [],
  });
  story.at(day(-1, '17:00'));
  await story.task('unit', tWorkshopRecords, 'SubmitRectification', {
    report: '用工台账已完善，按月更新',
    evidence: [photo('demo/recent/ledger.pdf', '用工台账')],
    quantityDone: null,
  });

  return { findings: 10, tasks };
}

/** The embedded default seeds the demo once, on an empty store with no users. */
export async function seedDemoIfEmpty(infra: Infrastructure): Promise<boolean> {
  const anyEvent = await infra.eventStore.readAll({ maxCount: 1 });
  if (anyEvent.length > 0 || (await infra.users.count()) > 0) return false;
  await seedDemo(infra);
  return true;
}
