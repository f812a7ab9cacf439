package changerun

import (
	"fmt"

	"github.com/opsbook/opsbook/internal/workspace"
)

// mainLine settles Options.Branch: empty means the repository's configured
// main branch (opsbook.yaml main_branch, default main); any other branch is
// a refusal. A merge into a branch that is not the main line approves
// nothing (anyone may create a local branch and merge into it as anyone),
// and an execution recorded there would never reach the main line.
func (o *Options) mainLine(rp *workspace.Workspace, id string) *Refusal {
	main := rp.Config.MainBranch
	if o.Branch == "" {
		o.Branch = main
	}
	if o.Branch == main {
		return nil
	}
	return &Refusal{Change: id, Reasons: []Reason{{RefuseBranch, fmt.Sprintf(
		"只能从主分支 %s 执行变更，不能指定分支 %s：只有经他人审批合并到主分支的变更才算批准，执行记录也只提交到主分支。"+
			"主分支由 opsbook.yaml 的 main_branch 设定（当前为 %s）；请去掉 --branch，或改正 opsbook.yaml 中的 main_branch",
		main, o.Branch, main)}}}
}
