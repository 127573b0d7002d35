"""Every text hall-flash shows a hall technician (zh-CN), in one place.

``FLASH_ADVICE`` maps a failure code (stable, English, also in docs/firmware-update.md) to what
the technician should do about it, the way ESPHome's espota2 turns a device code into an action.
"""

FLASH_ADVICE = {
    # verify_image: nothing has been sent yet
    "bad_magic": "这不是 hallstack 固件镜像（缺少 HSFW 标识）。请确认选择了正确的文件。",
    "bad_header": "镜像头损坏或格式版本不符。请重新下载或重新生成镜像。",
    "bad_size": "镜像长度与镜像头不符：文件不完整。请重新复制镜像文件。",
    "bad_crc": "镜像内容校验（CRC-32）失败：文件已损坏。请重新复制镜像文件，未向设备发送任何数据。",
    "bad_signature": "镜像签名无效：不是本大厅固件密钥签发的镜像。请向系统管理员索取签名正确的镜像，"
                     "未向设备发送任何数据。",
    "no_key": "找不到大厅固件公钥文件。请用 --pubkey 指定 firmware.pub。",
    # identify
    "no_device": "总线上该地址的设备无应答。请检查 RS-485 接线（A/B 是否接反）、终端电阻和设备电源，"
                 "然后运行 hall-flash scan。",
    "wrong_type": "镜像的设备类型与该设备不符。请选择适用于此类设备的镜像。",
    "same_version": "设备已是该版本，无需升级（如需重刷请加 --force）。",
    "downgrade": "镜像版本低于设备当前版本。确需降级请加 --allow-downgrade。",
    "trial_pending": "设备正在试运行上一次升级的新固件，尚未确认。请稍候 1 分钟后重试，"
                     "设备会自行确认或回滚。",
    # begin / transfer / read_back
    "refused": "设备拒绝了升级请求（{detail}）。请确认设备型号与固件匹配。",
    "no_reply": "传输中设备无应答。请检查接线和电源后重新运行同一命令：传输会从第 {block} 块继续。",
    "mismatch": "回读校验不一致（第 {block} 块）。总线干扰较大：请检查屏蔽线和终端电阻后重试。",
    # activate / reconnect / confirm / rollback
    "device_bad_crc": "设备端整体校验失败，镜像未启用。请重新运行升级。",
    "silent_after_reboot": "设备重启后无应答。请等待 1 分钟：未确认的新固件会被设备自动回滚；"
                           "仍无应答请给设备断电重启后运行 hall-flash scan。",
    "not_started": "新固件未能启动，设备已自动回到原版本 {version}。请将此镜像反馈给固件负责人。",
    "self_test": "新固件自检失败，已回滚到原版本 {version}。请将此镜像反馈给固件负责人。",
    "rollback_failed": "回滚未完成：设备当前版本为 {version}。请给设备断电重启，"
                       "必要时用编程器现场刷写。",
}

SCAN_HEADER = "地址  类型        固件版本  序列号      状态"
SCAN_NONE = "总线 {port} 上没有设备应答（已询问地址 {first}–{last}）。"
KIND_NAMES = {"screen": "窗口屏", "clerk_pad": "呼叫器", "rating_pad": "评价器"}
STATUS_WORDS = {"trial": "试运行", "updating": "升级中", "fault": "故障", "ok": "正常"}
FLASH_DONE = "设备 {device} 已升级：{old} → {new}。"
FLASH_SKIPPED = "设备 {device}：{why}"
FLASH_FAILED = "设备 {device} 升级失败，步骤 {step}：{advice}"
FLASH_RESUMED = "设备 {device}：从第 {block} 块继续传输。"
NO_TARGET = "总线上没有类型为 {kind} 的设备。"
