"""Every zh-CN text the engine hands to a person (clerk, citizen, hall manager): error messages
for refused ops and labels. The call announcement's template is the hall's
(``[queue] call_template``, default in wire.config.QueueRules)."""

from wire.vocab import LEVELS  # noqa: F401 - the engine's labels are the wire's

DEFAULT_SCORE = 3  # an unrated service counted after the hall's days: 基本满意, marked defaulted

CLOSED_REASONS = {
    "day_end_waiting": "当日未叫号",
    "day_end_held": "挂起未回呼",
    "day_end_no_show": "过号未到",
    "day_end_unfinished": "当日未办结",
}

HALL_CLOSED = "当前不在办理时间，请在工作日办理时间内取号"
SERVICE_CAPPED = "{name}今日号已取完"
SLOT_CAPPED = "{name}本时段号已取完，请在下一时段取号"
NUMBERS_USED = "{name}今日号码已用完"
ID_ACTIVE = "该证件已有{name}的有效排队号{no}"
UNKNOWN_SERVICE = "没有事项类别 {service}"
UNKNOWN_WINDOW = "没有{window}号窗口"
UNKNOWN_STAFF = "没有工号 {staff}"
UNKNOWN_BOOKING = "没有预约号 {code}"
BOOKING_SERVICE = "预约号 {code} 不是{name}的预约"
BOOKING_USED = "预约号 {code} 已签到"
BOOKING_EARLY = "预约时段未到，请于{start}后签到取号"
BOOKING_EXISTS = "预约号 {code} 已存在"
NOT_YOUR_WINDOW = "本机只能操作{window}号窗口"
ROLE_FORBIDDEN = "{role}节点不能执行 {op}"
RATE_LIMITED = "操作过于频繁，请稍后再试"
STAFF_NOT_HERE = "工号 {staff} 不在{window}号窗口的岗位上"
STAFF_ELSEWHERE = "工号 {staff} 已在{window}号窗口登录"
WINDOW_TAKEN = "{window}号窗口已由工号 {staff} 登录"
WINDOW_NOT_OPEN = "窗口未开放（未登录或暂停中）"
WINDOW_NOT_PAUSED = "窗口没有暂停"
WINDOW_LOGOUT_OTHER = "当前登录的不是工号 {staff}"
WINDOW_BUSY = "请先办结、挂起或过号当前的号 {no}"
NOTHING_IN_HAND = "窗口当前没有在办的号"
ALREADY_STARTED = "{no}号已开始办理"
RECALL_CAPPED = "{no}号已重呼{n}次，请过号"
NO_SUCH_TICKET = "今日没有{no}号"
NOT_SKIPPED = "{no}号不是过号状态"
NOT_HELD_HERE = "{no}号没有挂起在本窗口"
NOT_WAITING = "{no}号不在等候中"
NOT_FOR_WINDOW = "{no}号的事项本窗口不办理"
NOT_SERVED_HERE = "本窗口不办理{name}"
SAME_SERVICE = "转办的事项与当前事项相同"
SAME_WINDOW = "不能转给本窗口"
TRANSFER_ONE = "请指定转办的事项或窗口（二选一）"
NOTHING_TO_RATE = "没有可评价的办件（办结后{s}秒内评价）"
ALREADY_RATED = "{no}号已评价"
NO_SKILL = "工号 {staff} 不能办理{name}"
COUNTER_NOT_ALLOWED = "{window}号窗口的柜台不能办理{name}"
ASSIGN_SERVICES = "请至少指定一项事项，且不要重复"
ALREADY_SERVES = "{window}号窗口已在办理{name}"
ASSIST_TEXT = "{window_name}空闲，可协助 {name}"
FULL = "今日该事项已约满，预计无法在下班前办理"
FULL_OFFER = "今日该事项已约满，预计无法在下班前办理；可预约{day:%m月%d日} {start:%H:%M}起办理"
NO_TICKET_FOR_TOKEN = "没有这张排队号"
CANNOT_CANCEL = "{no}号已叫号或已结束，不能取消"
NOT_FINISHED = "{no}号尚未办结，办结后才能评价"
MANAGER_REQUIRED = "请注明操作的管理人员"
NOT_WAITING_MOVE = "{no}号不在等候中，不能调整"
NOTICE_TOO_LONG = "公告不能超过{n}个字"
NOTHING_TO_CLOSE = "今日没有需要日结的排队号"

# the hub's refusals of followup.record (hub/followups.py)
FOLLOWUP_NONE = "{ticket_id} 没有差评回访件"
FOLLOWUP_CLOSED = "{ticket_id} 的回访已办结，不能再登记"
FOLLOWUP_RESULT_NEEDED = "办结回访须填写处理结果（args.result）"
