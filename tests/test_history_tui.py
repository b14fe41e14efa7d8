"""修改历史: the diff is shown without git's English headers."""

from __future__ import annotations

from tui.screens.history import readable_diff

GIT_SHOW = """diff --git a/orgs/chem/branches/b0001.toml b/orgs/chem/branches/b0001.toml
index 0a1b2c3..4d5e6f7 100644
--- a/orgs/chem/branches/b0001.toml
+++ b/orgs/chem/branches/b0001.toml
@@ -3,4 +3,4 @@ org = "chem"
 name = "化学与材料学院教工第一党支部"
-secretary = "廖梅秋"
+secretary = "王芳"
diff --git a/orgs/chem/2020/work-report.md b/orgs/chem/2020/work-report.md
new file mode 100644
index 0000000..eb8542a
--- /dev/null
+++ b/orgs/chem/2020/work-report.md
@@ -0,0 +1,2 @@
+# 工作情况报告
+正文
\\ No newline at end of file
"""


def test_diff_headers_are_said_in_chinese():
    assert readable_diff(GIT_SHOW).splitlines() == [
        "文件 orgs/chem/branches/b0001.toml",
        "第 3 行起：",
        ' name = "化学与材料学院教工第一党支部"',
        '-secretary = "廖梅秋"',
        '+secretary = "王芳"',
        "文件 orgs/chem/2020/work-report.md（新建）",
        "第 1 行起：",
        "+# 工作情况报告",
        "+正文",
    ]
