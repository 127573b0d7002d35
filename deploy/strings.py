"""Every text hall-flash's node, first-boot and bundle commands show a technician (zh-CN)."""

NODE_WRITTEN = "已写入节点配置：{path}（开机后启动 {unit}）。"
FIRSTBOOT_DONE = ("已安装节点 {node}：凭据 {env}，大厅配置 {hall}；已启用并启动 {unit}。"
                  "启动卡上的密码文件已删除。")
FIRSTBOOT_STANDBY = ("已安装双机热备的{role} {node}：已写入 {files}；已启用并启动 {units}。"
                     "启动卡上的配置文件已删除。")
STANDBY_ROLE_NAMES = {"standby": "主机（hub）", "witness": "仲裁机（etcd 见证）"}
FIRSTBOOT_TIME = "本机时间以大厅主机为准：{chrony}。"
FIRSTBOOT_NO_CHRONY = ("警告：镜像未安装 chrony，本机时间无法与大厅主机同步"
                       "（apt-get install chrony）；配置 {chrony} 已写入，安装后生效。")
FIRSTBOOT_NOTHING = "{root} 的启动分区上没有待安装的节点配置（hallstack/node.toml），无需操作。"
BUNDLE_BUILT = ("已生成离线安装包 {path}（{size:.1f} MiB，{wheels} 个 wheel，{debs} 个 deb）。"
                "清单 SHA-256：{sha}")
