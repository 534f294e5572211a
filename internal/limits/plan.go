package limits

import (
	"fmt"

	"k8s.io/apimachinery/pkg/api/resource"
)

// Options decide how peaks become recommendations.
type Options struct {
	Headroom Headroom
	// AllowDecrease lets a recommendation go below today's request (the
	// request is then lowered with it, so request ≤ limit still holds).
	AllowDecrease bool
	// MinSamples is how many readings a peak needs before it is trusted.
	MinSamples int
}

// Row is one container of the manifests with what the evidence says.
type Row struct {
	File      string `json:"file"`
	Line      int    `json:"line"`
	Kind      string `json:"kind"`
	Namespace string `json:"namespace"`
	Workload  string `json:"workload"`
	Container string `json:"container"`
	Init      bool   `json:"init,omitempty"`
	Running   bool   `json:"running"`
	Samples   int    `json:"samples"`
	// Note says why there is no recommendation: "not running", "too few
	// samples (2 < 3)", "no data"; empty when there is one.
	Note   string `json:"note,omitempty"`
	CPU    Sizing `json:"cpu"`
	Memory Sizing `json:"memory"`

	c *Container
}

// Sizing is one resource of a container.
type Sizing struct {
	Request string `json:"request"` // as written, "" if unset
	Limit   string `json:"limit"`
	Peak    string `json:"peak"`      // "" when unknown
	PeakRaw int64  `json:"peakValue"` // bytes or millicores
	// Recommend is the limit to set ("" without enough evidence).
	Recommend string `json:"recommend"`
	// LowerRequest is set with AllowDecrease when the request must come
	// down to the recommendation.
	LowerRequest string `json:"lowerRequest,omitempty"`
	// Below: today's limit is under the recommendation (or unset), so the
	// container risks OOM kills (memory) or throttling (CPU).
	Below bool `json:"below"`
	// Change: writing would change the manifest.
	Change bool `json:"change"`
}

// Plan relates every container of the workloads to its evidence. running
// says which workloads have pods in the cluster.
func Plan(workloads []*Workload, defaultNS string, peaks map[ContainerKey]Peak, running map[ContainerKey]bool, o Options) []Row {
	var rows []Row
	for _, w := range workloads {
		ns := w.Namespace
		if ns == "" {
			ns = defaultNS
		}
		for _, c := range w.Containers {
			k := ContainerKey{ns, w.Kind, w.Name, c.Name}
			r := Row{File: w.File, Line: c.Line, Kind: w.Kind, Namespace: ns, Workload: w.Name, Container: c.Name,
				Init: c.Init, Running: running[ContainerKey{ns, w.Kind, w.Name, ""}], c: c}
			r.CPU.Request, _ = c.Value("requests", CPU)
			r.CPU.Limit, _ = c.Value("limits", CPU)
			r.Memory.Request, _ = c.Value("requests", Memory)
			r.Memory.Limit, _ = c.Value("limits", Memory)
			pk, have := peaks[k]
			r.Samples = pk.Samples
			switch {
			case !r.Running && !have:
				r.Note = "not running"
			case !have || pk.Samples == 0:
				r.Note = "no data"
			case pk.Samples < o.MinSamples:
				r.Note = fmt.Sprintf("too few samples (%d < %d)", pk.Samples, o.MinSamples)
			}
			if have && pk.Samples > 0 {
				r.Memory.Peak, r.Memory.PeakRaw = FormatMemory(ceilDiv(pk.MemBytes, Mi)*Mi), pk.MemBytes
				r.CPU.Peak, r.CPU.PeakRaw = FormatCPU(pk.CPUMilli), pk.CPUMilli
			}
			if r.Note == "" {
				size(&r.Memory, MemoryLimit(pk.MemBytes, o.Headroom), FormatMemory, o.AllowDecrease)
				size(&r.CPU, CPULimit(pk.CPUMilli, o.Headroom), FormatCPU, o.AllowDecrease)
			}
			rows = append(rows, r)
		}
	}
	return rows
}

// size fills the recommendation of one resource from rec (bytes or
// millicores) and today's request and limit.
func size(s *Sizing, rec int64, format func(int64) string, allowDecrease bool) {
	recText := format(rec)
	recQ := resource.MustParse(recText)
	if req, err := resource.ParseQuantity(s.Request); err == nil && req.Cmp(recQ) > 0 {
		if allowDecrease {
			s.LowerRequest = recText
		} else {
			// Never below today's request: it is what the scheduler
			// reserves, and a limit under it is invalid.
			recText, recQ = s.Request, req
		}
	}
	s.Recommend = recText
	lim, err := resource.ParseQuantity(s.Limit)
	s.Below = err != nil || lim.Cmp(recQ) < 0
	s.Change = err != nil || lim.Cmp(recQ) != 0 || s.LowerRequest != ""
}

// Edits are the manifest changes the rows recommend, per file.
func Edits(rows []Row) map[string][]Edit {
	out := map[string][]Edit{}
	for _, r := range rows {
		for _, s := range []struct {
			res string
			sz  Sizing
		}{{CPU, r.CPU}, {Memory, r.Memory}} {
			if s.sz.Recommend == "" || !s.sz.Change {
				continue
			}
			lim, err := resource.ParseQuantity(s.sz.Limit)
			if err != nil || lim.Cmp(resource.MustParse(s.sz.Recommend)) != 0 {
				out[r.File] = append(out[r.File], Edit{Container: r.c, Section: "limits", Resource: s.res, Value: s.sz.Recommend})
			}
			if s.sz.LowerRequest != "" {
				out[r.File] = append(out[r.File], Edit{Container: r.c, Section: "requests", Resource: s.res, Value: s.sz.LowerRequest})
			}
		}
	}
	return out
}
