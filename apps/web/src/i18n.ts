import { ref } from 'vue';

/** Chinese first; English for visitors and colleagues from elsewhere. The choice is remembered on the device. */
export type Locale = 'zh' | 'en';

const zh = {
  appName: '整改', appTitle: '督查整改工作平台', login: '登录', logout: '退出', username: '用户名', password: '密码',
  loginFailed: '用户名或密码不正确', demoHint: '演示账号：inspector / unit / leader / admin，密码 rectify-demo',
  navTasks: '任务台账', navMyTasks: '我的任务', navNewFinding: '发现问题', navSignOff: '待验收', navCockpit: '领导驾驶舱',
  navInbox: '消息', navDirectory: '组织机构', language: 'English',
  all: '全部', status: '状态', light: '红黄绿灯', search: '搜索标题或措施', overdueOnly: '只看逾期', campaign: '专项行动',
  exportXlsx: '导出台账 XLSX', exportCsv: '导出 CSV', noTasks: '没有符合条件的任务', total: '共', items: '项',
  deadline: '整改期限', originalDeadline: '原定期限', leadUnit: '牵头单位', cooperatingUnits: '配合单位', region: '地区', category: '问题类别',
  target: '目标', done: '已完成', measures: '整改措施', plan: '整改方案', daysLeft: '剩余天数', overdueDays: '已逾期',
  days: '天', sendBacks: '退回次数', report: '整改报告', evidence: '佐证材料', submission: '销号申请',
  accept: '签收', savePlan: '保存方案', reportProgress: '报告进度', quantityDone: '累计完成量', note: '说明',
  askExtension: '申请延期', newDeadline: '申请延至', reason: '理由', submit: '申请销号', verify: '验收销号',
  sendBack: '退回重办', approve: '同意延期', refuse: '不同意', pendingExtension: '待审批的延期申请',
  history: '全程留痕', verifyChain: '校验哈希链', chainOk: '哈希链完整：已校验', chainBroken: '哈希链断裂', events: '条事件',
  photos: '照片 / 附件', takePhoto: '拍照或选择文件', uploading: '上传中…', uploaded: '已上传',
  fileFinding: '登记问题', title: '标题', description: '问题描述', severity: '严重程度', source: '来源',
  severityLow: '一般', severityMedium: '较重', severityHigh: '严重', chooseRegion: '选择地区', chooseCategory: '选择类别',
  similar: '举一反三：同类问题', similarNone: '附近暂无同类问题', open: '未解决', resolved: '已解决', distance: '距离',
  samePlace: '同一地点', nearby: '邻近', finding: '问题', tasks: '整改任务', assignTask: '交办整改任务', unit: '责任单位',
  assign: '交办', targetQuantity: '目标数量', targetUnit: '计量单位', none: '无', taskTitle: '任务标题（默认同问题标题）',
  signOffQueue: '待验收任务', signOffEmpty: '暂无待验收任务', verifyNote: '验收意见', open_task: '查看',
  inbox: '消息提醒', inboxEmpty: '暂无消息', unread: '未读', markRead: '标为已读',
  cockpit: '领导驾驶舱', asOf: '查看时点', now: '现在', asOfHint: '按所选日期当天 24 时的状态显示', burndown: '燃尽图',
  byRegion: '各地区红黄绿灯', byUnit: '各单位红黄绿灯', overdueList: '逾期任务', scoreboard: '单位排行', tasksTotal: '任务总数',
  closed: '已销号', openTasks: '未销号', overdue: '逾期', quantity: '完成量 / 目标', onTimeRate: '按期销号率', avgDays: '平均办结天数',
  lightSummary: '红黄绿灯总览', regions: '地区', units: '单位', users: '用户', role: '角色', saved: '已保存', done_ok: '操作成功',
  error: '出错了', loading: '加载中…', back: '返回', actor: '操作人', time: '时间', campaignDeadline: '行动期限',
  addRegion: '新增地区', parentRegion: '上级地区', topLevel: '（顶级）', code: '行政区划代码', name: '名称', addUnit: '新增单位',
  headName: '负责人', addCategory: '新增类别', categoryCode: '类别代码（如 dangerous-housing）', addUser: '新增账号',
  displayName: '姓名', scope: '管辖范围', wholeTree: '全部地区', noUnit: '（无）', disable: '停用', enable: '启用',
  disabledUser: '已停用', add: '添加', manageTask: '任务处置', reassign: '改派', newLeadUnit: '新的牵头单位', cancelTask: '撤销任务',
  reopen: '回头看：重新打开', chooseUnit: '选择单位', account: '我的账号', changePassword: '修改密码', currentPassword: '当前密码',
  newPassword: '新密码（至少 12 位，含三类字符）', passwordChanged: '密码已修改，其他设备上的登录已退出',
} as const;

export type MessageKey = keyof typeof zh;

const en: Record<MessageKey, string> = {
  appName: 'Zhenggai', appTitle: 'Rectification workflow', login: 'Sign in', logout: 'Sign out', username: 'Username', password: 'Password',
  loginFailed: 'Wrong username or password', demoHint: 'Demo accounts: inspector / unit / leader / admin, password rectify-demo',
  navTasks: 'Task ledger', navMyTasks: 'My tasks', navNewFinding: 'New finding', navSignOff: 'Sign-off', navCockpit: 'Cockpit',
  navInbox: 'Inbox', navDirectory: 'Directory', language: '中文',
  all: 'All', status: 'Status', light: 'Light', search: 'Search title or measures', overdueOnly: 'Overdue only', campaign: 'Campaign',
  exportXlsx: 'Export ledger XLSX', exportCsv: 'Export CSV', noTasks: 'No task matches', total: '', items: 'tasks',
  deadline: 'Deadline', originalDeadline: 'Original deadline', leadUnit: 'Lead unit', cooperatingUnits: 'Cooperating units', region: 'Region', category: 'Category',
  target: 'Target', done: 'Done', measures: 'Measures', plan: 'Plan', daysLeft: 'Days left', overdueDays: 'Overdue by',
  days: 'days', sendBacks: 'Send-backs', report: 'Completion report', evidence: 'Evidence', submission: 'Submission',
  accept: 'Accept', savePlan: 'Save plan', reportProgress: 'Report progress', quantityDone: 'Quantity done so far', note: 'Note',
  askExtension: 'Ask for an extension', newDeadline: 'New deadline', reason: 'Reason', submit: 'Submit for sign-off', verify: 'Verify and close',
  sendBack: 'Send back', approve: 'Approve extension', refuse: 'Refuse', pendingExtension: 'Pending extension request',
  history: 'Full history', verifyChain: 'Check hash chain', chainOk: 'Hash chain intact: checked', chainBroken: 'Hash chain broken', events: 'events',
  photos: 'Photos / files', takePhoto: 'Take a photo or choose a file', uploading: 'Uploading…', uploaded: 'Uploaded',
  fileFinding: 'File finding', title: 'Title', description: 'Description', severity: 'Severity', source: 'Source',
  severityLow: 'Low', severityMedium: 'Medium', severityHigh: 'High', chooseRegion: 'Choose a region', chooseCategory: 'Choose a category',
  similar: 'Similar findings elsewhere', similarNone: 'No similar finding nearby', open: 'Open', resolved: 'Resolved', distance: 'Distance',
  samePlace: 'same place', nearby: 'nearby', finding: 'Finding', tasks: 'Tasks', assignTask: 'Assign a rectification task', unit: 'Responsible unit',
  assign: 'Assign', targetQuantity: 'Target quantity', targetUnit: 'Unit of measure', none: 'None', taskTitle: "Task title (default: the finding's)",
  signOffQueue: 'Awaiting sign-off', signOffEmpty: 'Nothing awaits sign-off', verifyNote: 'Verification note', open_task: 'Open',
  inbox: 'Reminders', inboxEmpty: 'No messages', unread: 'Unread', markRead: 'Mark read',
  cockpit: 'Leadership cockpit', asOf: 'As of', now: 'Now', asOfHint: 'Shows things as they stood at the end of the chosen day', burndown: 'Burndown',
  byRegion: 'Lights by region', byUnit: 'Lights by unit', overdueList: 'Overdue tasks', scoreboard: 'Unit scoreboard', tasksTotal: 'Tasks',
  closed: 'Closed', openTasks: 'Open', overdue: 'Overdue', quantity: 'Done / target', onTimeRate: 'On-time rate', avgDays: 'Avg. days to close',
  lightSummary: 'Lights overview', regions: 'Regions', units: 'Units', users: 'Users', role: 'Role', saved: 'Saved', done_ok: 'Done',
  error: 'Error', loading: 'Loading…', back: 'Back', actor: 'By', time: 'Time', campaignDeadline: 'Campaign deadline',
  addRegion: 'Add a region', parentRegion: 'Parent region', topLevel: '(top of a tree)', code: 'Administrative code', name: 'Name', addUnit: 'Add a unit',
  headName: 'Head', addCategory: 'Add a category', categoryCode: 'Code (e.g. dangerous-housing)', addUser: 'Add an account',
  displayName: 'Display name', scope: 'Jurisdiction', wholeTree: 'The whole tree', noUnit: '(none)', disable: 'Disable', enable: 'Enable',
  disabledUser: 'Disabled', add: 'Add', manageTask: 'Manage the task', reassign: 'Reassign', newLeadUnit: 'New lead unit', cancelTask: 'Cancel the task',
  reopen: 'Look-back: reopen', chooseUnit: 'Choose a unit', account: 'My account', changePassword: 'Change password', currentPassword: 'Current password',
  newPassword: 'New password (12+ characters of three kinds)', passwordChanged: 'Password changed; sign-ins on other devices have ended',
};

const dictionaries: Record<Locale, Record<MessageKey, string>> = { zh, en };

export const locale = ref<Locale>(localStorage.getItem('zhenggai.locale') === 'en' ? 'en' : 'zh');

export function setLocale(next: Locale): void {
  locale.value = next;
  localStorage.setItem('zhenggai.locale', next);
  document.documentElement.lang = next === 'zh' ? 'zh-CN' : 'en';
}

export function t(key: MessageKey): string {
  return dictionaries[locale.value][key];
}

/** Labels of codes the API speaks in (statuses, lights, event types, categories), by language. */
const LABELS: Record<string, [zh: string, en: string]> = {
  assigned: ['已交办', 'Assigned'], accepted: ['已签收', 'Accepted'], in_progress: ['整改中', 'In progress'], submitted: ['待验收', 'Submitted'],
  closed: ['已销号', 'Closed'], cancelled: ['已撤销', 'Cancelled'],
  green: ['绿灯', 'Green'], yellow: ['黄灯', 'Yellow'], red: ['红灯', 'Red'], closed_on_time: ['按期销号', 'Closed on time'], closed_late: ['逾期销号', 'Closed late'],
  RectificationTaskAssigned: ['交办', 'Assigned'], RectificationTaskAccepted: ['签收', 'Accepted'], RectificationTaskPlanRecorded: ['记录整改方案', 'Plan recorded'],
  RectificationTaskProgressReported: ['报告进度', 'Progress reported'], RectificationTaskExtensionRequested: ['申请延期', 'Extension requested'],
  RectificationTaskExtensionApproved: ['同意延期', 'Extension approved'], RectificationTaskExtensionRefused: ['不同意延期', 'Extension refused'],
  RectificationTaskSubmitted: ['申请销号', 'Submitted'], RectificationTaskVerified: ['验收销号', 'Verified and closed'], RectificationTaskSentBack: ['退回重办', 'Sent back'],
  RectificationTaskReassigned: ['改派', 'Reassigned'], RectificationTaskCancelled: ['撤销', 'Cancelled'], RectificationTaskReopened: ['回头看重新打开', 'Reopened'],
  RectificationTaskReminded: ['提醒', 'Reminded'], RectificationTaskEscalated: ['督办升级', 'Escalated'], RectificationTaskReminderRead: ['已阅提醒', 'Reminder read'],
  'old-housing': ['破旧房屋', 'Old housing'], sanitation: ['改厕 · 环境卫生', 'Sanitation'], 'ponds-ditches': ['沟塘清淤', 'Ponds and ditches'],
  'village-environment': ['村容村貌', 'Village environment'], industry: ['产业发展', 'Industry'], 'dangerous-housing': ['危房改造', 'Dangerous housing'],
  'four-ones': ['“四个一”', 'Four ones'], employment: ['就业扶贫', 'Employment'], 'drinking-water': ['饮水安全', 'Drinking water'],
  low: ['一般', 'Low'], medium: ['较重', 'Medium'], high: ['严重', 'High'],
  inspector: ['督查员', 'Inspector'], unit: ['责任单位', 'Unit'], leader: ['领导', 'Leader'], admin: ['管理员', 'Admin'],
  city: ['市', 'City'], county: ['县', 'County'], town: ['乡镇', 'Town'], village: ['村', 'Village'],
};

/** Whether the app has its own label for a code (a status, a light, a level, a known category…). */
export const hasLabel = (code: string): boolean => code in LABELS;

export function label(code: string | null | undefined): string {
  if (!code) return '';
  const known = LABELS[code];
  return known ? known[locale.value === 'zh' ? 0 : 1] : code;
}
