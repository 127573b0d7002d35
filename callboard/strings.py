"""Every text a citizen or clerk sees on the call board, LED screens included (zh-CN)."""

# What a call says, on the loudspeaker and the LED screens, is the hall's one sentence:
# [queue] call_template in hall.toml (docs/announcements.md).

# LED window screens (窗口屏)
LED_IDLE = "热情为您服务"
LED_PAUSED = "暂停服务"
LED_CLOSED = "暂停服务"

# Hall display (综合屏)
NOW_CALLING = "当前叫号"
CALL_LINE = "{no} → {window_name}"
NO_CALL_YET = "请留意叫号"
RECENT_CALLS = "最近叫号"
RECALL_MARK = "（重呼）"
WAITING_TITLE = "等候情况"
WAITING_HEAD = ("业务", "等候", "预计")
WAITING_ROW_WAIT = "{minutes}分钟"
WAITING_NONE = "—"
PAUSED_TITLE = "暂停服务窗口"
PAUSED_NONE = "无"
PAUSED_REASON = "{name}（{reason}）"
CLOSED_LINE = "未开放：{numbers}号窗口"
OFFLINE = "正在重新连接服务器…"
WEEKDAYS = ("星期一", "星期二", "星期三", "星期四", "星期五", "星期六", "星期日")
CLOCK = "{y}年{m}月{d}日 {weekday} {hh:02d}:{mm:02d}:{ss:02d}"
