package chart

// Empty renders the frame of a chart (title, axis title) with msg centred in
// a dashed box; msg defaults to "暂无数据". The chart functions return it when
// they have nothing to draw.
func Empty(o Options, msg string) string {
	w, h := o.size(0)
	c := &canvas{w: w, h: h}
	m := clean(msg)
	if m == "" {
		m = "暂无数据"
	}
	top := c.header(o, nil) + 8
	bottom := h - pad
	if bottom-top < 30 {
		bottom = top + 30
		c.h = bottom + pad
	}
	c.emptyBox(pad, top, w-pad, bottom, m)
	desc := clean(o.Desc)
	if desc == "" {
		desc = m
		if t := clean(o.Title); t != "" {
			desc = t + "：" + m
		}
	}
	return c.finish("empty", titleOr(o, m), desc)
}
