"""Every text the kiosk shows or prints, zh-CN, in one table (halls override the ticket footer
and the QR link in the config, not here)."""

PRIORITIES = {"elderly": "老年人", "disabled": "残疾人", "military": "军人", "pregnant": "孕妇"}
WEEKDAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")

# home screen
HOME_PROMPT = "请点击您要办理的事项"
WAITING_COUNT = "等候 {n} 人"
WAITING_UNKNOWN = "等候人数更新中"
CAPPED_TAG = "今日号已取完"
GREEN_CHANNEL = "绿色通道（优先办理）："
CHECK_IN = "预约签到"
CLOCK = "{d:%Y年%m月%d日} {weekday} {d:%H:%M}"

# appointment check-in
CHECK_IN_TITLE = "预约签到"
CHECK_IN_PROMPT = "请输入预约码"
CHECK_IN_PICK = "预约码 {code}：请选择您预约的事项"
KEY_DELETE = "删除"
KEY_OK = "确定"
BACK = "返回"
DONE = "完成"

# taking a ticket
TAKING = "正在取号，请稍候…"
YOUR_NUMBER = "您的号码"
AHEAD = "您前面还有 {n} 人等候"
EST_WAIT = "预计等候约 {m} 分钟"
WAIT_AT = "请到 {windows} 附近等候叫号"
WINDOW_JOIN = "、"
TAKE_TICKET = "请取走您的号票"
PRINT_FAILED = "号票打印失败，请记住您的号码，如需帮助请联系工作人员"
PRIORITY_TAG = "绿色通道：{name}"
APPOINTMENT_TAG = "预约号"

# screens that stop a citizen
CLOSED_TITLE = "现在不是办理时间"
CLOSED_HOURS = "办理时间：{days} {sessions}"
CLOSED_TODAY = "今日不办公"
CAPPED_TITLE = "号已取完"
CAPPED_BODY = "{name}今日号已取完，请改日办理"
FULL_TITLE = "今日该事项已约满"
FULL_BODY = "今日该事项已约满，预计无法在下班前办理，请预约改日办理"
UNREACHABLE_TITLE = "系统连接中断"
UNREACHABLE_BODY = "正在重试连接，请稍候；如需帮助请联系工作人员"
PAPER_OUT_TITLE = "号票纸已用完"
PRINTER_DOWN_TITLE = "打印机暂停服务"
PRINTER_BODY = "暂时无法出票，未为您取号，请联系工作人员"
REFUSED_TITLE = "无法取号"
REFUSED_BODY = "请联系工作人员"

# the printed ticket
TICKET_WELCOME = "欢迎您"
TICKET_ISSUED = "取号时间：{t:%Y-%m-%d %H:%M:%S}"
TICKET_QR_CAPTION = "扫码查看排队进度"
TICKET_FOOTER = ("过号请重新取号",)
TICKET_HOTLINE = "服务热线：{hotline}"

# 网上预约 check-in (booking.checkin: kiosk.booking)
CHECK_IN_PROMPT_BOOKING = "请输入预约码或身份证号，或扫描预约二维码"
BOOKED_EARLY = "您预约的时段 {start} 开始，届时优先叫号，请在附近等候"
BOOKED_ON_TIME = "预约签到成功，将优先为您叫号"
BOOKED_LATE = "您已超过预约时段（{start}），按普通号排队"
SCAN_NOT_BOOKING = "未识别的二维码，请扫描预约二维码或输入预约码"

# 已约满: booking the next free slot at the kiosk (kiosk.bookoffer)
OFFER_SLOT = "可预约 {day:%m月%d日} {start}–{end} 办理"
OFFER_BOOK = "预约此时段"
BOOK_ID_PROMPT = "请输入身份证号码（实名预约）"
BOOK_PHONE_PROMPT = "请输入手机号码"
BOOKED_TITLE = "预约成功"
BOOKED_CODE = "预约码"
BOOKED_WHEN = "{day:%m月%d日} {start}–{end}；开始前{early}分钟起可到取号机签到"
BOOKED_BRING = "请携带：{materials}"
BOOK_REFUSED_TITLE = "未能预约"
TAKE_SLIP = "请取走预约凭条，凭预约码或身份证签到"
PRINT_FAILED_SLIP = "凭条打印失败，请记下预约码"
TICKET_SLOT = "预约时段 {start} 起优先叫号"
