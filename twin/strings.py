"""What the manager reads from the twin (zh-CN)."""

COLUMNS = {
    "scenario": "方案",
    "issued": "取号",
    "told": "告知改日",
    "finished": "办结",
    "no_show": "过号",
    "closed_out": "下班未办",
    "longest_wait_min": "最长等候(分)",
    "p90_wait_min": "P90等候(分)",
    "over_limit": "超时等候",
    "satisfaction": "估计满意率",
}
RECORDED = "当日实际"
REPLAY = "孪生复现(按当日决定)"
ALTERNATIVE = "备选方案"
TITLE = "{hall} {day} 大厅孪生推演（等候上限 {limit} 分钟）"
NOTE = ("注：同一批群众、同样的到达时间；已办人员按记录的办理时长，其余按本厅实测分布抽样"
        "（种子 {seed}）。估计满意率按本厅评价与等候时长的实测关系估算，下班未办计为不满意。")

