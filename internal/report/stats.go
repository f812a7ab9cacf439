package report

import (
	"sort"
	"strings"

	"github.com/opsbook/opsbook/internal/kind"
	"github.com/opsbook/opsbook/internal/period"
	"github.com/opsbook/opsbook/internal/record"
)

// statsColumns are the six counts of a department statistics row.
var statsColumns = []struct{ key, label string }{
	{"catalogued", "编目"}, {"published", "发布"}, {"applied", "申请"},
	{"subscribed", "订阅"}, {"approved", "审批"}, {"updated", "更新"},
}

// typeRank orders period types by length.
var typeRank = map[string]int{"year": 5, "half": 4, "quarter": 3, "month": 2, "week": 1}

// deptStat is one department's summed counts in a period.
type deptStat struct {
	dept   string
	counts map[string]int
	total  int
}

// statsIn picks the statistics records that tile p without double
// counting: of the records whose period lies inside p, the longest first,
// skipping any that overlaps one already taken (a quarter report takes a
// quarterly record if there is one, otherwise the three monthly ones, and
// never weekly ones on top of them).
func statsIn(d *Data, p period.Period) []*record.Record {
	from, to := p.Start.Format("2006-01-02"), p.End.Format("2006-01-02")
	type cand struct {
		r          *record.Record
		start, end string
	}
	var inside []cand
	for _, r := range d.ByKind["stats"] {
		st, _ := kind.StatsFrom(r)
		s, e := st.PeriodStart, st.PeriodEnd
		if s == "" || e == "" || s < from || e > to || e < s {
			continue
		}
		inside = append(inside, cand{r, s, e})
	}
	sort.SliceStable(inside, func(i, j int) bool {
		ri, rj := typeRank[str(inside[i].r, "period_type")], typeRank[str(inside[j].r, "period_type")]
		if ri != rj {
			return ri > rj
		}
		return inside[i].start < inside[j].start
	})
	var taken []cand
	for _, c := range inside {
		overlaps := false
		for _, t := range taken {
			if c.start <= t.end && t.start <= c.end {
				overlaps = true
				break
			}
		}
		if !overlaps {
			taken = append(taken, c)
		}
	}
	sort.Slice(taken, func(i, j int) bool { return taken[i].start < taken[j].start })
	out := make([]*record.Record, len(taken))
	for i, t := range taken {
		out[i] = t.r
	}
	return out
}

// departmentRanking sums the statistics of p per department, most active
// first (by the total of the six counts, then by id), and lists the active
// departments without any update in p.
func departmentRanking(d *Data, p period.Period) (ranked []*deptStat, noUpdate []string, sources []string) {
	by := map[string]*deptStat{}
	for _, r := range statsIn(d, p) {
		sources = append(sources, r.ID())
		for _, x := range list(r, "rows") {
			row, ok := x.(map[string]any)
			if !ok {
				continue
			}
			dept, _ := row["department"].(string)
			st := by[dept]
			if st == nil {
				st = &deptStat{dept: dept, counts: map[string]int{}}
				by[dept] = st
			}
			for _, c := range statsColumns {
				if n, ok := num(row[c.key]); ok {
					st.counts[c.key] += int(n)
					st.total += int(n)
				}
			}
		}
	}
	if len(sources) == 0 {
		return nil, nil, nil
	}
	for _, st := range by {
		ranked = append(ranked, st)
	}
	sort.Slice(ranked, func(i, j int) bool {
		if ranked[i].total != ranked[j].total {
			return ranked[i].total > ranked[j].total
		}
		return ranked[i].dept < ranked[j].dept
	})
	for _, r := range d.ByKind["department"] {
		if str(r, "status") == "inactive" {
			continue
		}
		if st, ok := by[r.ID()]; !ok || st.counts["updated"] == 0 {
			noUpdate = append(noUpdate, r.ID())
		}
	}
	sort.Strings(noUpdate)
	return ranked, noUpdate, sources
}

func statsFigures(s *figureSet, d *Data, p period.Period) {
	ranked, noUpdate, sources := departmentRanking(d, p)
	if len(sources) == 0 {
		s.set("stats_departments", "报送统计的部门", "个", "本期统计记录（stats）中出现的部门数", nil)
		s.set("stats_no_update_departments", "本期无更新的部门", "个", "在用部门中本期更新数为 0 或未出现在统计中的部门数", nil)
		for _, c := range statsColumns {
			s.set("stats_"+c.key, c.label+"总数", "条", "各部门本期"+c.label+"数之和", nil)
		}
		return
	}
	s.count("stats_departments", "报送统计的部门", "个", "本期统计记录（stats）中出现的部门数；取周期落在本期内的统计记录，周期长的优先、互不重叠（如季报有季度统计就用季度统计，否则合计三个月的统计）", len(ranked))
	s.count("stats_no_update_departments", "本期无更新的部门", "个", "在用部门中本期更新数为 0 或未出现在统计中的部门数", len(noUpdate))
	for _, c := range statsColumns {
		n := 0
		for _, st := range ranked {
			n += st.counts[c.key]
		}
		s.count("stats_"+c.key, c.label+"总数", "条", "各部门本期"+c.label+"数之和", n)
	}
}

func joinIDs(ids []string) string { return strings.Join(ids, "、") }

// metricRanks ranks the departments on each count separately (competition
// ranking: equal counts share a rank, the next rank skips), metric → department → rank.
func metricRanks(depts []*deptStat) map[string]map[string]int {
	out := map[string]map[string]int{}
	for _, c := range statsColumns {
		out[c.key] = map[string]int{}
		for _, d := range depts {
			rank := 1
			for _, o := range depts {
				if o.counts[c.key] > d.counts[c.key] {
					rank++
				}
			}
			out[c.key][d.dept] = rank
		}
	}
	return out
}
