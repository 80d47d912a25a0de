/**
 * What each problem `code` of the API says to a person: what happened and what to do, in Chinese (and English for
 * the app's English mode). Adding a code is one line here; test/architecture/problem-codes.spec.ts fails while a
 * code the server can answer has no line.
 *
 * Placeholders, filled in by problems.ts from the problem and the page (never a UUID or an ISO timestamp):
 * - `{field}`: the Chinese (or English) label of the problem's `field`, e.g. 整改期限 for `deadline`;
 * - `{value}`: what the person entered in that field, formatted (a date as 2020年1月1日), in brackets, or nothing;
 * - `{wait}`: how long to wait before trying again (from `retryAfterSeconds`), or 片刻 / a moment.
 */
export const PROBLEM_SENTENCES: Readonly<Record<string, readonly [zh: string, en: string]>> = {
  // Input (400)
  INVALID_FIELD: [
    '{field}{value}填写不正确，请检查后重新填写。',
    '{field}{value} is not valid: check it and try again.',
  ],
  WEAK_PASSWORD: [
    '{field}不够安全：至少 12 位，包含大写字母、小写字母、数字、符号中的三类，且不能含用户名或常见密码。',
    '{field} is too weak: 12+ characters of three kinds (upper, lower, digits, symbols), not the username.',
  ],
  WRONG_PASSWORD: ['当前密码不正确，请重新输入。', 'The current password is wrong: type it again.'],
  UNKNOWN_REGION: [
    '所选地区已不存在，请刷新页面后重新选择。',
    'The chosen region no longer exists: reload and choose again.',
  ],
  UNKNOWN_UNIT: [
    '所选单位已不存在，请刷新页面后重新选择。',
    'The chosen unit no longer exists: reload and choose again.',
  ],
  UNKNOWN_CATEGORY: ['所选问题类别不存在，请重新选择。', 'The chosen category does not exist: choose another.'],
  UNKNOWN_CAMPAIGN: ['所选专项行动不存在，请重新选择。', 'The chosen campaign does not exist: choose another.'],
  UNKNOWN_EVIDENCE: [
    '有佐证材料未上传成功，请删除后重新上传。',
    'A piece of evidence was not uploaded: remove it and upload it again.',
  ],
  EVIDENCE_HASH_MISMATCH: [
    '佐证材料与上传时不一致，请删除后重新上传。',
    'A piece of evidence differs from what was uploaded: upload it again.',
  ],
  IMPORT_NOT_A_SPREADSHEET: [
    '所选文件不是表格，请上传 XLSX 或 CSV 格式的表格；旧版 XLS 表格请另存为 XLSX 后上传。',
    'The file is not a spreadsheet: upload an .xlsx or a .csv file (save an .xls as .xlsx).',
  ],
  IMPORT_MISSING_COLUMNS: [
    '表格缺少必填的列，请下载问题清单模板，对照表头修改后重新上传。',
    'The sheet lacks required columns: download the template and match its headings.',
  ],
  IMPORT_NO_ROWS: ['表格中没有填写问题，请在表头下逐行填写后重新上传。', 'The sheet lists no problems.'],
  IMPORT_TOO_MANY_ROWS: [
    '表格行数过多，每个文件最多 2000 行，请拆分为几个文件分别导入。',
    'The sheet has too many rows (at most 2,000): split it into several files.',
  ],
  AMBIGUOUS_REGION: [
    '有多个同名地点，请写明上级地名或填写行政区划代码。',
    'More than one place has this name: give its parents or its code.',
  ],
  AMBIGUOUS_UNIT: ['有多个同名单位，请联系管理员区分单位名称。', 'More than one unit has this name.'],
  EMPTY_FILE: ['所选文件是空的，请选择其他文件。', 'The file is empty: choose another one.'],
  BODY_NOT_AN_OBJECT: ['提交的内容无法识别，请刷新页面后重试。', 'What was sent cannot be read: reload and try again.'],
  MALFORMED_JSON: ['提交的内容无法识别，请刷新页面后重试。', 'What was sent cannot be read: reload and try again.'],
  INVALID_UTF8: ['提交的文字含有无法识别的字符，请删除特殊字符后重试。', 'The text has unreadable characters.'],
  FORBIDDEN_KEY: ['提交的内容含有不允许的项目，请刷新页面后重试。', 'What was sent has a forbidden key.'],
  INVALID_IF_MATCH: ['页面信息已过期，请刷新页面后再操作。', 'This page is out of date: reload it and try again.'],
  BAD_REQUEST: ['请求有误，请检查填写的内容后重试。', 'The request is not valid: check what you entered.'],
  MALFORMED_REQUEST: ['请求无法识别，请刷新页面后重试。', 'The request could not be read: reload and try again.'],
  CONTENT_LENGTH_MISMATCH: ['内容未完整发送，请检查网络后重试。', 'The request arrived incomplete: try again.'],
  FST_ERR_BAD_URL: ['网址有误，请从菜单重新进入。', 'The address is not valid: open the page from the menu.'],
  FST_ERR_MAX_PARAM_LENGTH: ['网址过长，请从菜单重新进入。', 'The address is too long: open the page from the menu.'],
  URI_TOO_LONG: ['网址过长，请减少筛选条件或从菜单重新进入。', 'The address is too long: use fewer filters.'],
  HEADERS_TOO_LARGE: ['请求过大，请退出后重新登录再试。', 'The request headers are too large: sign in again.'],
  PAYLOAD_TOO_LARGE: ['文件或内容过大，请压缩或拆分后再提交。', 'The file or text is too large: make it smaller.'],
  UNSUPPORTED_MEDIA_TYPE: [
    '不支持这种文件类型，请上传照片（JPG、PNG）或 PDF。',
    'This type of file is not taken: upload a photo (JPG, PNG) or a PDF.',
  ],
  LENGTH_REQUIRED: ['请求缺少长度信息，请刷新页面后重试。', 'The request lacks its length: reload and try again.'],
  REQUEST_TIMEOUT: ['网络太慢，请求超时，请检查网络后重试。', 'The request timed out: check the network and retry.'],
  NOT_ACCEPTABLE: ['无法按要求的格式提供内容，请刷新页面后重试。', 'That format is not available.'],
  METHOD_NOT_ALLOWED: ['不支持这个操作，请刷新页面后重试。', 'This operation is not supported here.'],
  ROUTE_NOT_FOUND: ['页面或功能不存在，请从菜单重新进入。', 'This page or function does not exist: use the menu.'],
  NOT_IMPLEMENTED: ['这个功能暂未开放。', 'This function is not available yet.'],

  // Signing in (401, 429)
  INVALID_CREDENTIALS: ['用户名或密码不正确，请重新输入。', 'Wrong username or password: try again.'],
  UNAUTHENTICATED: ['登录已失效，请重新登录。', 'You are signed out: sign in again.'],
  INVALID_REFRESH_TOKEN: ['登录已过期，请重新登录。', 'Your sign-in has expired: sign in again.'],
  REFRESH_TOKEN_REUSED: [
    '为保护账号安全，登录已全部退出，请重新登录；如非本人操作，请修改密码。',
    'For safety every sign-in has ended: sign in again, and change the password if this was not you.',
  ],
  TOO_MANY_LOGINS: [
    '登录尝试次数过多，请{wait}后再试；忘记密码请联系管理员。',
    'Too many sign-in attempts: try again in {wait}, or ask an admin.',
  ],
  TOO_MANY_REQUESTS: ['操作太频繁，请{wait}后再试。', 'Too many requests: try again in {wait}.'],

  // Who may do what (403)
  FORBIDDEN: ['您没有权限进行这个操作。', 'You may not do this.'],
  ROLE_NOT_ALLOWED: [
    '您的角色不能进行这个操作；如需办理，请联系管理员。',
    'Your role may not do this: ask an admin if it must be done.',
  ],
  READ_ONLY_ROLE: ['领导账号只能查看，不能办理任务。', 'A leader account may read but not act on tasks.'],
  NOT_YOUR_UNIT: ['这项任务不由您的单位牵头办理，不能进行这个操作。', 'This task is not led by your unit.'],
  SELF_SIGN_OFF: [
    '整改单位不能自己验收，请由督查人员验收销号。',
    'The units that did the work cannot sign it off: an inspector must.',
  ],
  SYSTEM_ONLY: ['提醒由系统按期限自动发送，不能手工记录。', 'Reminders are sent by the system when they fall due.'],
  OUTSIDE_JURISDICTION: ['这超出了您的管辖范围，请选择本辖区内的内容。', 'This is outside your jurisdiction.'],

  // Not found, conflicts (404, 409, 412)
  NOT_FOUND: [
    '要找的内容不存在，或您无权查看，请返回列表重新选择。',
    'Not found, or not yours to see: go back to the list.',
  ],
  ILLEGAL_TRANSITION: [
    '任务当前的状态不能进行这个操作，请刷新页面查看最新状态。',
    'The task’s current status does not allow this: reload to see where it stands.',
  ],
  DUPLICATE: ['{field}{value}已被使用，请换一个。', '{field}{value} is taken already: choose another.'],
  CONFLICT: ['与现有内容冲突，请刷新页面后重试。', 'This conflicts with what exists: reload and try again.'],
  STALE_REVISION: [
    '这项内容刚被其他人修改过，请刷新页面查看最新内容后再操作。',
    'Someone changed this in the meantime: reload to see the latest, then try again.',
  ],
  PRECONDITION_FAILED: ['页面信息已过期，请刷新页面后再操作。', 'This page is out of date: reload it and try again.'],
  IDEMPOTENCY_IN_PROGRESS: [
    '上一次提交还在处理中，请稍候再看结果。',
    'The previous submission is still being processed.',
  ],
  IDEMPOTENCY_KEY_REUSED: ['这次提交与上一次不一致，请刷新页面后重新提交。', 'This differs from the last submission.'],
  DELIVERY_NOT_FAILED: ['只有发送失败的提醒才能重新发送。', 'Only a failed delivery is sent again.'],

  // Business rules (422)
  UNPROCESSABLE_CONTENT: ['这个操作不符合办理规定，请检查后重试。', 'A rule refuses this: check and try again.'],
  DEADLINE_IN_PAST: [
    '{field}{value}早于今天，请选择今天或以后的日期。',
    '{field}{value} is before today: choose today or a later date.',
  ],
  DEADLINE_AFTER_CAMPAIGN: [
    '{field}{value}晚于专项行动的截止日期，请选择更早的日期。',
    '{field}{value} is after the campaign’s deadline: choose an earlier date.',
  ],
  LEAD_UNIT_ALSO_COOPERATING: [
    '牵头单位不能同时作为配合单位，请从配合单位中去掉它。',
    'The lead unit cannot also cooperate: remove it from the cooperating units.',
  ],
  SAME_LEAD_UNIT: ['所选单位已是牵头单位，请选择另一个单位。', 'That unit leads the task already: choose another.'],
  EXTENSION_AFTER_DEADLINE: [
    '整改期限已过，不能再申请延期；请尽快完成整改，或联系督查人员。',
    'The deadline has passed: an extension can no longer be asked for.',
  ],
  EXTENSION_NOT_LATER: [
    '{field}{value}不晚于现在的整改期限，请选择更晚的日期。',
    '{field}{value} is not later than the current deadline: choose a later date.',
  ],
  EXTENSION_ALREADY_PENDING: [
    '已有一份延期申请在等待审批，请等审批后再申请。',
    'An extension request awaits a decision already.',
  ],
  EXTENSION_NOT_PENDING: ['这份延期申请已经处理过了，请刷新页面。', 'This extension request was decided already.'],
  EXTENSION_REQUEST_ID_USED: [
    '这份延期申请已经提交或处理过了，请刷新页面。',
    'This extension request was made or decided already: reload.',
  ],
  EVIDENCE_REQUIRED: ['申请销号至少需要一份佐证材料，请先上传照片或附件。', 'Add at least one piece of evidence.'],
  TARGET_NOT_MET: [
    '累计完成量还没有达到目标数量，完成后再申请销号。',
    'The quantity done has not reached the target yet.',
  ],
  QUANTITY_ABOVE_TARGET: [
    '{field}{value}超过了目标数量，请核实后重新填写。',
    '{field}{value} is above the target: check it.',
  ],
  SELF_DEMOTION: ['不能取消自己账号的管理员角色。', 'You cannot take the admin role from your own account.'],
  SELF_DISABLE: ['不能停用自己的账号。', 'You cannot disable your own account.'],
  REGION_LEVEL: [
    '地区层级不对：市下设县，县下设乡镇，乡镇下设村，村下不能再设地区。',
    'Wrong level: a city holds counties, a county towns, a town villages.',
  ],
  EXPORT_TOO_LARGE: ['要导出的任务太多，请增加筛选条件后再导出。', 'Too many tasks to export: narrow the filters.'],

  // 逐级分解 (breaking a task down)
  SUBTASK_FOR_OWN_UNIT: [
    '不能把任务分解给本单位自己，请选择下级单位或配合单位。',
    'A task cannot be broken down to its own unit: choose a unit below, or a cooperating unit.',
  ],
  SUBTASK_UNIT_OUTSIDE_SUBTREE: [
    '所选单位不在本单位辖区的下级，也不是本任务的配合单位，请重新选择。',
    'That unit is neither below this unit nor a cooperating unit of the task: choose another.',
  ],
  SUBTASK_DEADLINE_AFTER_PARENT: [
    '子任务的{field}{value}晚于上级任务的期限，请改为不晚于上级期限的日期。',
    "The sub-task's {field}{value} is after the parent task's deadline: choose an earlier date.",
  ],
  SHARE_WITHOUT_TARGET: [
    '本任务没有量化目标，无法分配数量，请将分配数量留空。',
    'This task has no quantity target to share: leave the share empty.',
  ],
  SHARES_ABOVE_TARGET: [
    '分配给子任务的数量加上本单位已完成的数量超过了任务目标，请减少分配数量。',
    'The shares with what this unit did itself come to more than the target: lower the shares.',
  ],
  SUBTASK_ID_USED: [
    '该分解已按其他内容提交过，请刷新页面后重新分解。',
    'This break-down was already sent with other content: reload and break the task down again.',
  ],
  SUBTASKS_OPEN: [
    '还有子任务未验收或未撤销，请先验收或撤销全部子任务。',
    'Some sub-tasks are neither verified nor cancelled: verify or cancel them first.',
  ],
  SUBTASK_NOT_REASSIGNABLE: [
    '子任务不能改派：请撤销该子任务（写明理由）后重新分解上级任务。',
    'A sub-task is not reassigned: cancel it with a reason and break the parent down again.',
  ],
  EXTENSION_AFTER_PARENT_DEADLINE: [
    '申请的期限{value}晚于上级任务的期限，请先由上级单位向上申请延期。',
    "The requested deadline{value} is after the parent task's: the parent's unit must ask for an extension first.",
  ],
  QUANTITY_ABOVE_OWN_PART: [
    '{field}{value}超过了本单位自己承担的部分（任务目标减去已分给子任务的数量），请核对后重新填写。',
    "{field}{value} is more than this unit's own part (the target less the sub-tasks' shares): check it.",
  ],
  PARENT_NOT_OPEN: [
    '上级任务已销号或已撤销，不能单独重新打开子任务，请先由上级单位重新打开上级任务。',
    'The parent task is closed or cancelled: the parent must be reopened before its sub-task.',
  ],
  REOPEN_AFTER_PARENT_DEADLINE: [
    '重新打开的{field}{value}晚于上级任务的期限，请改为不晚于上级期限的日期。',
    "The new {field}{value} is after the parent task's deadline: choose an earlier date.",
  ],
  NOT_ASSIGNING_UNIT: [
    '这是子任务，只能由分解它的上级单位验收、退回或审批。',
    'This is a sub-task: only the unit that broke its parent down verifies, sends back or decides on it.',
  ],

  // 情况通报 (bulletins)
  AS_OF_IN_FUTURE: [
    '统计时点不能晚于现在，请选择今天或以前的时间。',
    'The instant of the figures may not be later than now: choose today or earlier.',
  ],
  PERIOD_REVERSED: ['通报期间的结束日期早于开始日期，请重新选择。', 'The period ends before it begins: choose again.'],
  PERIOD_AFTER_AS_OF: [
    '通报期间不能晚于统计时点，请调整期间或统计时点。',
    'The period may not end after the instant of the figures: adjust one of them.',
  ],
  BULLETIN_SCOPE_FIXED: [
    '重新印发的通报须与原通报的范围和期间相同；如需其他范围，请新建通报。',
    'A new version reports on the same scope and period: issue a new bulletin for another.',
  ],
  // The server (500, 503), or no answer at all
  OFFLINE: ['网络连接失败，请检查网络后重试。', 'No connection: check the network and try again.'],
  INTERNAL_ERROR: ['系统出现异常，请稍后重试；如仍有问题，请联系管理员。', 'Something went wrong: try again later.'],
  STORE_UNAVAILABLE: ['系统暂时忙，请{wait}后重试。', 'The system is busy: try again in {wait}.'],
  DATABASE_UNAVAILABLE: ['系统暂时忙，请{wait}后重试。', 'The system is busy: try again in {wait}.'],
  SERVICE_UNAVAILABLE: ['系统暂时无法使用，请{wait}后重试。', 'The system is unavailable: try again in {wait}.'],
  STREAM_DAMAGED: [
    '这项任务的记录已损坏，暂时不能修改，请联系管理员校验并修复。',
    'This record is damaged and cannot change: ask an admin to check and repair it.',
  ],
};

/** For a code the table does not know yet: a sentence, shown with the code in small print for support. */
export const UNKNOWN_PROBLEM: readonly [zh: string, en: string] = [
  '操作没有成功，请稍后重试；如仍有问题，请联系管理员并提供下面的代码。',
  'That did not work: try again later, or tell an admin the code below.',
];
