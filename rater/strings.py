"""Every word the window node shows or says to a citizen or a clerk (zh-CN), in one place."""

from __future__ import annotations

from wire import vocab

#: Rating key → label, 5 = 非常满意 (devices.keys.RATING_KEYS order is rate_1 … rate_5).
SCORE_LABELS = vocab.LEVELS
#: Reasons offered after a 差评 (score ≤ 2), sent with the rating when chosen in time.
BAD_REASONS = vocab.BAD_REASONS

WELCOME = "欢迎您来办事"
INVITE = "请对本次服务进行评价"
CHOOSE_REASONS = "请选择不满意的原因（可多选）"
SUBMIT = "提交"
SECONDS_LEFT = "{s} 秒后自动提交"
INVITE_LEFT = "请按评价器按键（{s} 秒）"
THANKS = "感谢您的评价！"
THANKS_BAD = "我们将尽快回访核实、整改"
STAFF_NUMBER = "工号：{number}"
NO_STAFF = "本窗口暂无工作人员"
PAUSED = "暂停服务"
OFFLINE = "网络连接中断，正在重连…"

# What the clerk is told (logged and kept as the node's clerk_message; the pad beeps).
CLERK = {
    "ok": "操作成功",
    "window.finish": "已办结 {no}",
    "window.skip": "已弃号 {no}",
    "window.hold": "已挂起 {no}",
    "window.start": "开始办理 {no}",
    "window.pause": "已暂停服务",
    "window.resume": "已恢复服务",
    "called": "已呼叫 {no}",
    "nobody": "当前无人等候",
    "offline": "网络中断，操作未发送，请稍后再按",
    "busy": "上一操作处理中，请稍候",
    "unconfirmed": "未收到确认，请看窗口屏核对后再操作",
    "refused": "操作被拒绝：{message}",
    "enter_staff": "请输入工号，再按登录键确认",
    "staff_empty": "请先输入工号",
    "not_logged_in": "当前未登录",
    "logged_in": "{name} 已登录",
    "logged_out": "已退出登录",
    "choose_transfer": "转移至：{choices}（按数字选择，再按转移选第一项）",
    "no_transfer": "未配置可转移的事项",
    "bad_choice": "没有第 {n} 项",
    "digit_unused": "请先按登录或转移键",
    "no_held": "没有挂起的号",
    "transferred": "已转移至 {service}",
}
