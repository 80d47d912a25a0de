import { RegionLevel } from '@zhenggai/application';
import { Role } from '@zhenggai/domain';

/** The places and units of the seed article (阜阳市 › 阜南县 › 王堰镇 › 蔡郢村) and a few neighbours. */
export const DEMO_REGIONS: ReadonlyArray<{ key: string; code: string; name: string; level: RegionLevel; parent: string | null }> = [
  { key: 'fuyang', code: '341200', name: '阜阳市', level: 'city', parent: null },
  { key: 'funan', code: '341225', name: '阜南县', level: 'county', parent: 'fuyang' },
  { key: 'wangyan', code: '341225113', name: '王堰镇', level: 'town', parent: 'funan' },
  { key: 'caiying', code: '341225113201', name: '蔡郢村', level: 'village', parent: 'wangyan' },
  { key: 'wangjiaba', code: '341225104', name: '王家坝镇', level: 'town', parent: 'funan' },
  { key: 'caoji', code: '341225107', name: '曹集镇', level: 'town', parent: 'funan' },
];

export const DEMO_UNITS: ReadonlyArray<{ key: string; name: string; region: string; headName: string }> = [
  { key: 'inspection', name: '阜阳市委督查组', region: 'fuyang', headName: '督查组组长' },
  { key: 'wangyan', name: '王堰镇人民政府', region: 'wangyan', headName: '镇长' },
  { key: 'caiying', name: '蔡郢村民委员会', region: 'caiying', headName: '村委会主任' },
  { key: 'wangjiaba', name: '王家坝镇人民政府', region: 'wangjiaba', headName: '镇长' },
  { key: 'caoji', name: '曹集镇人民政府', region: 'caoji', headName: '镇长' },
  { key: 'housing', name: '阜南县住房和城乡建设局', region: 'funan', headName: '局长' },
];

export const DEMO_PASSWORD = 'rectify-demo';

/** The four demo accounts, and one for each other unit so the whole story has real actors. */
export const DEMO_USERS: ReadonlyArray<{ username: string; displayName: string; role: Role; unit: string | null }> = [
  { username: 'admin', displayName: '系统管理员', role: 'admin', unit: null },
  { username: 'inspector', displayName: '市委督查组 督查员', role: 'inspector', unit: 'inspection' },
  { username: 'unit', displayName: '王堰镇人民政府 联络员', role: 'unit', unit: 'wangyan' },
  { username: 'leader', displayName: '市委领导（只读）', role: 'leader', unit: null },
  { username: 'caiying', displayName: '蔡郢村民委员会 联络员', role: 'unit', unit: 'caiying' },
  { username: 'wangjiaba', displayName: '王家坝镇人民政府 联络员', role: 'unit', unit: 'wangjiaba' },
  { username: 'caoji', displayName: '曹集镇人民政府 联络员', role: 'unit', unit: 'caoji' },
  { username: 'housing', displayName: '阜南县住建局 联络员', role: 'unit', unit: 'housing' },
];
