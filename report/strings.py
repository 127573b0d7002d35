"""Every zh-CN text hall-report shows a hall manager: column heads, sheet and chart titles."""

from wire.vocab import LEVELS

VIEWS = {"hall": "全厅", "window": "窗口", "staff": "工作人员", "service": "事项"}
RANKINGS = {"window": "窗口排名", "staff": "人员排名"}

#: figure key -> column head (order = column order in every table)
COLUMNS = {
    "issued": "取号数",
    "called": "叫号数",
    "served": "办结数",
    "no_show": "过号数",
    "transferred": "转办数",
    "closed_unserved": "日终未办数",
    "wait_mean_s": "平均等候(分)",
    "wait_median_s": "等候中位数(分)",
    "wait_p90_s": "等候P90(分)",
    "wait_max_s": "最长等候(分)",
    "over_limit": "超时等候数",
    "service_mean_s": "平均办理(分)",
    "service_median_s": "办理中位数(分)",
    **{f"level_{score}": label for score, label in LEVELS.items()},  # 5 … 1
    "rated": "评价数",
    "defaulted": "默认评价数",
    "satisfied_rate": "满意率",
    "bad_rate": "差评率",
    "unrated_rate": "未评价率",
}
RANK_COLUMNS = {"rank": "名次", "name": "名称", "served": "办结数", "rated": "评价数",
                "satisfied_rate": "满意率", "bad": "差评数", "unrated_rate": "未评价率",
                "wait_mean_s": "平均等候(分)"}

#: the county view (hall-county report county): one line per site
COUNTY_TITLE = "{period} 各站点服务评价排名"
COUNTY_MISSING = "未完整计入：{site}（{why}）"
COUNTY_NO_DATA = "县级库中没有该站点的数据"
COUNTY_GAP = "县级库缺少第 {first} 号起的事件，尚未补齐；只计入到第 {upto} 号"
COUNTY_COLUMNS = {"rank": "名次", "key": "站点", "name": "名称", "served": "办结数",
                  "rated": "评价数", "satisfied_rate": "满意率", "bad": "差评数",
                  "cases": "差评件", "on_time_rate": "差评按期办结率",
                  "wait_mean_s": "平均等候(分)", "wait_p90_s": "等候P90(分)",
                  "over_limit": "超时等候数"}

KEY_HEAD = {"hall": "大厅", "window": "窗口", "staff": "工号", "service": "事项"}
NAME_HEAD = "名称"

REPORT_TITLE = "{hall} {period} 办件与评价统计"
PERIOD_DAY = "{d:%Y年%m月%d日}"
PERIOD_WEEK = "{a:%Y年%m月%d日}至{b:%m月%d日}"
PERIOD_MONTH = "{d:%Y年%m月}"

#: 排班建议 (hall-twin staffing writes it, hall-web's console prints it: report.staffing)
STAFFING_TITLE = "排班建议（{first} 起一周）"
STAFFING_DAY = "{date} {weekday}（参照 {design}，取号 {tickets} 个）"
STAFFING_BASIS = ("依据近 {weeks} 周日志中同一工作日取号最多的一天（该工作日无记录时用近几周中"
                  "取号最多的一天），经大厅孪生按本厅实测办理时长推演；每格为该事项该时段需开的"
                  "专办窗口数，使每个时段取号群众的 P90 等候不超过 {limit} 分钟。")
STAFFING_NOTE = ("按专办窗口计算；综合窗口可同时分担多个事项，实际所需窗口可少于合计。"
                 "标“+”者开满大厅全部 {cap} 个窗口仍未达标。")
STAFFING_SERVICE = "事项"
STAFFING_TOTAL = "合计"
STAFFING_HOUR = "{h:02d}时"
STAFFING_NONE = "尚无排班建议：请在大厅主机上运行 hall-twin staffing --db 数据库文件"
STAFFING_MADE = "生成时间 {made}"
WEEKDAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")

CHART_ARRIVALS = "{period} 每小时取号与平均等候"
CHART_ARRIVALS_X = "时段"
CHART_ARRIVALS_Y = "取号数"
CHART_ARRIVALS_Y2 = "平均等候（分钟）"
CHART_WAITS = "{period} 各事项等候时间分布"
CHART_WAITS_Y = "等候时间（分钟）"
CHART_WAITS_LIMIT = "等候上限 {m} 分钟"
CHART_SATISFACTION = "{period} 各窗口满意率"
CHART_SATISFACTION_Y = "满意率（%）"
CHART_BAD = "差评 {n} 件"
CHART_NO_DATA = "本期无数据"

FOLLOWUP_STATUS = {"open": "待办", "closed": "已办结"}
FOLLOWUP_STEPS = {"visit": "回访", "verify": "核实", "rectify": "整改", "close": "办结"}
FOLLOWUP_COLUMNS = {"no": "号码", "ticket_id": "办件", "window": "窗口", "staff": "工号",
                    "level": "评价", "reasons": "原因", "opened_at": "评价时间", "due": "办理期限",
                    "days_left": "剩余工作日", "last_step": "最近环节", "status": "状态"}
OVERDUE = "已超期"
NO_CASES = "没有差评回访件"

SUMMARY_TITLE = "{hall}{period}好差评月度通报"
SUMMARY_LINE = ("本期共取号{issued}个，办结{served}件，过号{no_show}个，转办{transferred}件，日终未办{unserved}个；"
                "平均等候{wait}分钟，超时等候{over}人次。收到评价{rated}条，满意率{sat}，"
                "差评{bad}条（差评率{bad_rate}），未评价率{unrated}。")


#: 考核 (report/kaohe.py): item -> column head, in report order
KAOHE_ITEMS = {"volume": "办件量", "satisfaction": "满意率", "bad_rating": "差评及回访",
               "handling": "办理时长/标准", "on_post": "在岗/暂停", "over_limit": "超时等候",
               "no_show": "过号"}
KAOHE_GROUPS = {"staff": "人员考核", "window": "窗口考核"}
KAOHE_TITLE = "{hall} {period} 考核"
KAOHE_HEAD = ("名次", "编号", "名称")
KAOHE_TOTAL = "总分"
KAOHE_SCORE = "{measure}（{score:g}分）"
KAOHE_EVIDENCE_TITLE = "{name}（{key}）考核依据"
KAOHE_EVIDENCE_ITEM = "{item}：{measure}，得分 {score:g}，计 {points:g} 分"
KAOHE_EVIDENCE_LINE = "  事件#{seq} {at} {note}"
KAOHE_NO_ONE = "没有找到 {key}"
CHARTS_SHEET = "图表"
CHART_DAILY = "{period} 每日办结与日终未办"
CHART_DAILY_Y = "件数"
CHART_DAILY_SERVED = "办结"
CHART_DAILY_UNSERVED = "日终未办"
CHART_DAILY_P90 = "等候P90（分钟）"
CHART_DAILY_DAY = "{d:%m-%d}周{w}"
