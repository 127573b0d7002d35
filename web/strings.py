"""Every zh-CN text hall-web shows (the JS gets the page's texts from here, as JSON)."""

from wire import vocab

TICKET_TITLE = "排队进度"
NOT_FOUND_TITLE = "没有找到排队号"
NOT_FOUND = "这个链接没有对应的排队号。请扫描排队小票上的二维码。"
ERROR_TITLE = "出错了"
HUB_AWAY = "排队系统暂时连接不上，请稍后刷新。"
HUB_NO_ANSWER = "中枢没有应答，操作可能没有执行。请稍后查看大厅情况再决定是否重试"
HUB_OFFLINE = "中枢离线，操作没有执行。中枢恢复后可再操作"
BAD_CHARS = "输入内容不能包含制表符、换行等控制字符"
#: the hub's refusal codes, for the few refusals whose message is for developers (English)
HUB_REFUSED = {
    "bad_request": "表单内容不正确",
    "unknown_service": "没有这个办理事项",
    "unknown_window": "没有这个窗口",
    "forbidden": "没有权限执行这个操作",
    "closed": "大厅当前不在办理时间",
    "capped": "今日号源已满",
    "no_ticket": "没有找到这个排队号",
    "conflict": "当前状态下不能执行这个操作",
    "no_skill": "该窗口人员不能办理这个事项",
    "full": "今日已无法再办理更多",
    "internal": "中枢内部出错，操作没有执行",
    "unavailable": "中枢暂时无法保存，操作没有执行",
    "rate_limited": "操作过于频繁，请稍后再试",
    # 网上预约 (docs/booking.md): the hub words these in Chinese; the code's text is the fallback
    "slot_full": "该时段已约满",
    "already_booked": "您已预约过该事项当天的时段",
    "blocked": "因多次爽约，暂时不能预约",
    "bad_id": "身份证号不正确",
    "not_found": "没有找到预约",
    "too_late": "已过取消期限",
    "too_early": "还未到签到时间",
}

# the ticket page (web/static/ticket.js reads these)
PAGE = {
    "your_number": "您的排队号",
    "service": "办理事项",
    "ahead": "前面还有 {n} 人",
    "ahead_none": "前面没有人等候，请留意叫号",
    "est_wait": "预计等候约 {m} 分钟",
    "est_soon": "预计很快叫到",
    "slot_first": "预约时段 {t} 起优先叫号",   # an early check-in's ticket before its slot
    "windows": "办理窗口",
    "window_paused": "暂停",
    "window_closed": "未开放",
    "soon": "即将到号！请回到大厅留意叫号",
    "called": "请到 {window} 办理",
    "called_pre": "请到",
    "called_post": "办理",
    "called_sub": "{no} 号，请您尽快前往",
    "serving": "正在 {window} 办理",
    "held": "您的号已在 {window} 挂起，请留意窗口回呼",
    "transferred": "您的号已转办：{service}，继续排队",
    "skipped": "过号：叫号时您不在。请到服务台或取号机重新排队（过号重排）",
    "finished": "已办结，感谢您的耐心等候",
    "closed": "本号已结束（当日未办理），如需办理请重新取号",
    "cancelled": "您已取消排队，此号不再叫号",
    "cancel": "取消排队",
    "cancel_confirm": "确定取消排队吗？取消后此号作废，需重新取号。",
    "cancel_failed": "取消没有成功：{msg}",
    "rate_title": "请对本次服务评价",
    "rate_reasons": "不满意的原因（可多选）",
    "rate_send": "提交评价",
    "rated": "已评价，谢谢您的反馈",
    "rate_failed": "评价没有成功：{msg}",
    "offline": "网络已断开，正在重新连接…",
    "updated": "更新于 {t}",
    "notify_soon": "{no} 号即将到号",
    "notify_called": "{no} 号请到 {window}",
    "green": "绿色通道",
    "notify_enable": "开启到号提醒",
    # 日结 closed the ticket's day (web/pastticket.py): what happened, why, what to do
    "day_ended": "今日已结束办理",
    "day_ended_on": "{date} 已结束办理",
    "day_end_why": "大厅已日结，此号当日未办理",
    "day_end_todo": "如需办理，请次日重新取号，或预约办理",
    # the hub started on a fresh database (a new epoch): the number is void
    "gone": "此号已失效",
    "gone_why": "排队系统的数据已重置，此号不再叫号",
    "gone_todo": "请到取号机重新取号，或咨询服务台",
}
#: why 日结 closed a ticket (the day_closed event's reason), as the page says it
DAY_END_WHY = {
    "day_end_waiting": "大厅已日结，您的号当日未叫到",
    "day_end_held": "大厅已日结，您的号挂起后未回呼",
    "day_end_no_show": "大厅已日结，您过号后未重新排队",
    "day_end_unfinished": "大厅已日结，您的事项当日未办结",
}
# the pad's levels and 差评 reasons: one list for both channels (wire/vocab.py)
LEVELS = vocab.LEVELS
BAD_REASONS = vocab.BAD_REASONS

# the console
CONSOLE_TITLE = "大厅管理"
LOGIN_TITLE = "大厅管理登录"
LOGIN_NAME = "用户名"
LOGIN_PASSWORD = "密码"
LOGIN_SUBMIT = "登录"
LOGIN_FAILED = "用户名或密码不正确"
LOGIN_LIMITED = "登录失败次数过多，请 5 分钟后再试"
LOGOUT = "退出"
FORBIDDEN = "请先登录"
CSRF_FAILED = "页面已过期，请刷新后再操作"
REPLAYED = "这个操作已经提交过"
VIEWER_ONLY = "只读用户不能操作"
BAD_FORM = "表单内容不正确"
DONE = "已完成"
DONE_NO_ACK = "已完成，但预警未能确认：{msg}"
ASSIST_ACK_NOTE = "已同意协助"

CONSOLE = {
    "windows": "窗口",
    "window": "窗口",
    "status": "状态",
    "staff": "工作人员",
    "current": "当前号",
    "since": "已用时",
    "served": "今日办结",
    "mean": "平均办理",
    "open": "开放",
    "paused": "暂停",
    "closed": "未开放",
    "pause": "暂停",
    "resume": "恢复",
    "queue": "等候",
    "service": "事项",
    "waiting": "等候人数",
    "longest": "最长等候",
    "est": "预计等候",
    "nodes": "设备节点",
    "online": "在线",
    "offline": "离线",
    "simulated": "模拟设备",
    "alerts": "预警提醒",
    "ack": "确认",
    "acked": "已确认",
    "ratings": "今日评价",
    "satisfaction": "满意率",
    "bad": "差评",
    "notice": "滚动公告",
    "notice_set": "发布公告",
    "move": "调整排队",
    "move_no": "排队号",
    "move_service": "改为事项",
    "move_window": "或指定窗口",
    "move_do": "调整",
    "figures": "统计报表",
    "minutes": "{m} 分钟",
    "none": "无",
    "offline_banner": "与服务器的连接已断开，正在重连…",
    "failed": "操作没有成功（服务器答复 {code}），请稍后再试",
    "hub_offline": "中枢离线：叫号、取号和各项操作暂不可用，中枢恢复后自动更新",
    "more": "另有 {n} 条",
    "unacked": "{n} 条未确认",
    "reason": "原因",
    "followups": "差评回访整改",
    "due": "期限",
    "days_left": "剩余 {n} 个工作日",
    "overdue": "已逾期",
    "step": "步骤",
    "note": "情况说明",
    "result": "处理结果（办结时填写）",
    "record": "记录",
    "close_day": "日结",
    "close_day_do": "立即日结",
    "close_day_hint": "关闭今日仍在等候、挂起和过号的排队号（正在办理的号不受影响）",
    "services_now": "办理事项",
    "assigned_by": "由 {by} 调整",
    "assign": "窗口办理事项",
    "assign_window": "窗口",
    "assign_first": "首选事项",
    "assign_then": "其次（可不选）",
    "assign_do": "调整",
    "assign_hint": "按顺序选择窗口办理的事项（首选在前），当日有效，日结后恢复",
    "assist_do": "同意协助",
    "assist_auto": "已自动安排",
    "close_day_confirm": "确定立即日结吗？今日仍在等候、挂起和过号的排队号将全部关闭。",
}
FOLLOWUP_STEPS = {"visit": "回访", "verify": "核实", "rectify": "整改", "close": "办结"}
ALERT_KINDS = {
    "wait_over_limit": "等候超时",
    "node_offline": "设备离线",
    "printer_paper": "打印纸",
    "bad_rating": "差评",
    "follow_up_overdue": "差评回访逾期",
    "assist_suggested": "协助建议",
    "rate_limited": "请求过频",
    "clock_step": "系统时钟跳变",
    "maintenance_failed": "夜间维护失败",
}
FIGURES_TITLE = "统计报表 {period}"
FIGURES_DAY = "日期"
FIGURES_KIND = "日报或月报"
FIGURES_SHOW = "查看"
FIGURES_XLSX = "下载 xlsx"
FIGURES_CSV = "下载 CSV（好差评）"
FIGURES_NONE = "该时段没有记录"
FIGURES_BULLETIN = "下载月通报"
STAFFING = "排班建议"           # the figures page's link and the page (web/staffing.py)
STAFFING_PRINT = "打印"
STAFFING_BROKEN = "排班建议文件无法读取，请重新生成：{why}"
FIGURES_CHARTS = {"arrivals": "每小时取号与平均等候", "waits": "各事项等候时间分布",
                  "satisfaction": "各窗口满意率"}

# 网上预约: the /book pages (web/booking.py, web/bookpages.py) and the console's booking page
BOOK = {
    "title": "网上预约",
    "choose_service": "选择办理事项",
    "no_services": "本大厅暂未开放网上预约",
    "materials_n": "需带材料 {n} 项",
    "choose_day": "选择日期",
    "choose_slot": "选择时段",
    "day_free": "可约 {n} 个",
    "day_full": "已约满",
    "day_closed": "不开放",
    "slot_free": "余 {n}",
    "slot_full": "已满",
    "no_slots": "这一天没有可预约的时段，请选择其他日期",
    "weekdays": ["周一", "周二", "周三", "周四", "周五", "周六", "周日"],
    "back": "返回",
    "materials": "办理须知（一次性告知）",
    "materials_none": "本事项无需另带材料，请带好本人身份证件",
    "materials_ack": "我已阅读，会带齐以上材料",
    "form_title": "预约人信息（实名）",
    "name": "姓名",
    "id_number": "身份证号",
    "phone": "手机号码",
    "privacy": "身份证号只保存校验摘要和部分遮挡的号码，手机号码只用于本次预约。",
    "confirm": "确认预约",
    "when": "预约时间",
    "service": "办理事项",
    "booked_title": "预约成功",
    "code": "预约码",
    "qr_hint": "到大厅后在取号机扫描此二维码，或输入预约码、身份证号签到取号",
    "keep_link": "请收藏本页面或截图保存，凭此页查看、取消或改约",
    "person": "预约人",
    "state": {"booked": "已预约", "cancelled": "已取消", "checked_in": "已签到",
              "no_show": "已爽约（未按时签到）"},
    "cancel_until": "可在 {t} 前取消或改约",
    "cancel_closed": "已过取消期限（{t}），不能再取消或改约",
    "cancel": "取消预约",
    "cancel_confirm": "确定取消这次预约吗？",
    "cancelled": "预约已取消",
    "move": "改约（换日期或时段）",
    "move_title": "改约：选择新的时间",
    "move_confirm": "确认改到这个时段",
    "move_from": "原预约时间：{was}（改约后原时段释放给他人）",
    "moved": "已改约到新的时间",
    "checkin_hint": "请在预约时段开始前 {m} 分钟内到取号机签到",
    "slot_closed": "该日期或时段不开放预约",
    "refused_title": "预约没有成功",
    "refused_cancel": "取消没有成功",
    "refused_move": "改约没有成功",
    "not_found_title": "没有找到预约",
    "not_found": "这个链接没有对应的预约。请使用预约成功后保存的页面链接。",
    "limited_title": "操作过于频繁",
    "limited": "您的操作过于频繁，请在 {m} 分钟后再试。",
    "bad_name": "请填写姓名（2 至 30 个字）",
    "bad_id": "身份证号应为 18 位（最后一位可以是 X）",
    "bad_phone": "手机号码应为 11 位数字",
    "not_ack": "请先阅读办理须知并勾选确认",
    "expired": "页面已过期，请返回重新操作",
    "again": "重新选择时段",
    "to_list": "返回事项列表",
    "view": "查看预约",
    "ticket_now": "您已签到，正在打开排队进度…",
    # /book/find (web/bookfind.py): a lost link found again by ID number + phone
    "find": "查询我的预约",
    "find_hint": "找不到预约页面或短信？请输入预约时填写的身份证号和手机号码，查询未办理的预约。",
    "find_button": "查询",
    "find_none": "没有找到未办理的预约。请核对身份证号和预约时填写的手机号码。",
    "found_title": "您的预约",
    "found_hint": "已为您生成新的预约页面链接，原来的链接不再有效。请收藏新的页面。",
    "open": "查看预约",
    "find_link": "找不到预约链接？查询我的预约",
}
#: a hub refusal of a booking op -> what the citizen should do next (shown under the hub's why)
BOOK_TODO = {
    "slot_full": "该时段刚刚约满，请选择其他时段。",
    "already_booked": "同一事项每人每天只能预约一次，可在已有预约的页面查看或改约。",
    "blocked": "爽约次数过多，暂时不能网上预约；可到大厅现场取号办理。",
    "bad_id": "请核对身份证号后重新填写。",
    "closed": "这一天或这个时段不开放预约，请选择其他时段。",
    "rate_limited": "操作过于频繁，请稍后再试。",
    "too_late": "已过取消期限；如不能前来，本次预约将记为爽约。",
}
# the console's booking page (/manage/booking)
BOOK_CONSOLE = {
    "title": "预约管理",
    "day": "日期",
    "show": "查看",
    "slot": "时段",
    "capacity": "号源",
    "booked": "已约",
    "checked_in": "已签到",
    "no_show": "爽约",
    "free": "剩余",
    "closed": "已关闭",
    "bookings": "预约名单",
    "code": "预约码",
    "name": "预约人",
    "state": "状态",
    "none": "当天没有预约",
    "close": "关闭时段",
    "open": "增加或重开时段",
    "start": "开始",
    "end": "结束",
    "reason": "原因",
    "close_do": "关闭",
    "open_do": "增开",
    "close_hint": "不填时间则关闭当天全部时段；已有的预约仍然有效",
    "totals": "预约 {booked} · 签到 {checked_in} · 爽约 {no_show} · 签到率 {checkin_rate} · "
              "爽约率 {no_show_rate}",
}

#: the hub row of a hall with a standby hub (docs/standby.md), from the hub's retained health
STANDBY = {"role": "中心主机", "serving": "主用 {serving}（任期 {term}）",
           "in_sync": "备用 {standby} 已同步（复制确认 {ack_ms} 毫秒）",
           "missing": "备用 {standby} 失联，自 {since} 起单机运行：{why}",
           "behind": "（备用缺 {behind} 条记录）"}
