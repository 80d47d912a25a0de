import { RegionLevel, Role } from '@zhenggai/domain';

/**
 * The places and units of the seed article (阜阳市 › 阜南县 › 王堰镇 › 蔡郢村), a few neighbours (王家坝镇 and its
 * 王家坝村, 曹集镇), and one other county (临泉县) whose tasks the county's own users do not see. The county's work
 * runs through 阜南县人民政府 and its 住建局, which break the city's tasks down to the towns, and the towns to their
 * villages (逐级分解).
 */
export const DEMO_REGIONS: ReadonlyArray<{
  key: string;
  code: string;
  name: string;
  level: RegionLevel;
  parent: string | null;
}> = [
  { key: 'fuyang', code: '341200', name: '阜阳市', level: 'city', parent: null },
  { key: 'funan', code: '341225', name: '阜南县', level: 'county', parent: 'fuyang' },
  { key: 'wangyan', code: '341225113', name: '王堰镇', level: 'town', parent: 'funan' },
  { key: 'caiying', code: '341225113201', name: '蔡郢村', level: 'village', parent: 'wangyan' },
  { key: 'wangjiaba', code: '341225104', name: '王家坝镇', level: 'town', parent: 'funan' },
  { key: 'wangjiabacun', code: '341225104201', name: '王家坝村', level: 'village', parent: 'wangjiaba' },
  { key: 'caoji', code: '341225107', name: '曹集镇', level: 'town', parent: 'funan' },
  { key: 'linquan', code: '341221', name: '临泉县', level: 'county', parent: 'fuyang' },
  { key: 'jiangzhai', code: '341221104', name: '姜寨镇', level: 'town', parent: 'linquan' },
];

export const DEMO_UNITS: ReadonlyArray<{ key: string; name: string; region: string; headName: string }> = [
  { key: 'inspection', name: '阜阳市委督查组', region: 'fuyang', headName: '督查组组长' },
  { key: 'wangyan', name: '王堰镇人民政府', region: 'wangyan', headName: '镇长' },
  { key: 'caiying', name: '蔡郢村民委员会', region: 'caiying', headName: '村委会主任' },
  { key: 'wangjiaba', name: '王家坝镇人民政府', region: 'wangjiaba', headName: '镇长' },
  { key: 'caoji', name: '曹集镇人民政府', region: 'caoji', headName: '镇长' },
  { key: 'wangjiabacun', name: '王家坝村民委员会', region: 'wangjiabacun', headName: '村委会主任' },
  { key: 'funanGov', name: '阜南县人民政府', region: 'funan', headName: '县长' },
  { key: 'housing', name: '阜南县住房和城乡建设局', region: 'funan', headName: '局长' },
  { key: 'funanOffice', name: '阜南县委督查室', region: 'funan', headName: '督查室主任' },
  { key: 'jiangzhai', name: '姜寨镇人民政府', region: 'jiangzhai', headName: '镇长' },
];

/** The categories findings and campaigns name. */
export const DEMO_CATEGORIES: ReadonlyArray<{ code: string; name: string }> = [
  { code: 'dangerous-housing', name: '危房改造' },
  { code: 'old-housing', name: '破旧房屋拆除' },
  { code: 'four-ones', name: '“四个一”建设' },
  { code: 'sanitation', name: '改厕与环境卫生' },
  { code: 'ponds-ditches', name: '沟塘清淤' },
  { code: 'village-environment', name: '村庄环境整治' },
  { code: 'living-environment', name: '人居环境' },
  { code: 'roads', name: '道路硬化' },
  { code: 'industry', name: '产业扶贫' },
  { code: 'employment', name: '就业扶贫' },
  { code: 'drinking-water', name: '饮水安全' },
];

export const DEMO_PASSWORD = 'rectify-demo';

/**
 * The four demo accounts, one for each other unit so the whole story has real actors, and a county inspector
 * and leader who see only 阜南县 (`scope`: the region subtree they work in).
 */
export const DEMO_USERS: ReadonlyArray<{
  username: string;
  displayName: string;
  role: Role;
  unit: string | null;
  scope?: string;
}> = [
  { username: 'admin', displayName: '系统管理员', role: 'admin', unit: null },
  { username: 'inspector', displayName: '市委督查组 督查员', role: 'inspector', unit: 'inspection' },
  { username: 'unit', displayName: '王堰镇人民政府 联络员', role: 'unit', unit: 'wangyan' },
  { username: 'leader', displayName: '市委领导（只读）', role: 'leader', unit: null },
  { username: 'caiying', displayName: '蔡郢村民委员会 联络员', role: 'unit', unit: 'caiying' },
  { username: 'wangjiaba', displayName: '王家坝镇人民政府 联络员', role: 'unit', unit: 'wangjiaba' },
  { username: 'caoji', displayName: '曹集镇人民政府 联络员', role: 'unit', unit: 'caoji' },
  { username: 'wangjiabacun', displayName: '王家坝村民委员会 联络员', role: 'unit', unit: 'wangjiabacun' },
  { username: 'funan', displayName: '阜南县人民政府 联络员', role: 'unit', unit: 'funanGov' },
  { username: 'housing', displayName: '阜南县住建局 联络员', role: 'unit', unit: 'housing' },
  {
    username: 'funan-inspector',
    displayName: '阜南县委督查室 督查员',
    role: 'inspector',
    unit: 'funanOffice',
    scope: 'funan',
  },
  { username: 'funan-leader', displayName: '阜南县领导（只读）', role: 'leader', unit: null, scope: 'funan' },
  { username: 'jiangzhai', displayName: '姜寨镇人民政府 联络员', role: 'unit', unit: 'jiangzhai' },
];
