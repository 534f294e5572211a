package agreement

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
)

// Finding is the part of an emmdev finding the suite compares.
type Finding struct {
	Rule    string
	Path    []string
	Line    int
	Col     int
	Message string
}

func (f Finding) String() string {
	s := fmt.Sprintf("%d:%d [%s]", f.Line, f.Col, f.Rule)
	if len(f.Path) > 0 {
		s += " " + FormatSegs(f.Path) + ":"
	}
	return s + " " + f.Message
}

// Outcome is one side's answer on a case.
type Outcome struct {
	Verdict Verdict
	// Paths the API server named (server side only).
	Paths []Path
	// Message is the API server's or kubectl's error, or emmdev's tool
	// error (an abort instead of findings).
	Message string
	// ServerAnswered is false when kubectl failed before the API server
	// gave a verdict (unknown kind, unreadable YAML).
	ServerAnswered bool
	// Findings are emmdev's API-level errors on the case file.
	Findings []Finding
}

// Result pairs both outcomes of one case with what is wrong with them.
type Result struct {
	Case   Case
	Server Outcome
	Emmdev Outcome
	// Known is the known difference the case is listed under, if any.
	Known *KnownDifference
	// CorpusProblems: the API server does not do what the case declares,
	// so the case does not test what it claims.
	CorpusProblems []string
	// Disagreements: emmdev does not say what the API server says.
	Disagreements []string
}

// Judge fills r.CorpusProblems and r.Disagreements.
func (r *Result) Judge() {
	c, s, e := r.Case, r.Server, r.Emmdev
	r.CorpusProblems, r.Disagreements = nil, nil
	corpus := func(f string, a ...any) { r.CorpusProblems = append(r.CorpusProblems, fmt.Sprintf(f, a...)) }
	disagree := func(f string, a ...any) { r.Disagreements = append(r.Disagreements, fmt.Sprintf(f, a...)) }

	if s.Verdict != c.Expect {
		corpus("declared %s, API server says %s", c.Expect, s.Verdict)
	}
	if c.Expect == Reject && s.Verdict == Reject {
		if c.ServerError != "" {
			if !s.ServerAnswered {
				corpus("declared an API server error, but kubectl failed before asking it")
			}
			if !strings.Contains(s.Message, c.ServerError) {
				corpus("API server's message does not contain %q", c.ServerError)
			}
		}
		if c.KubectlError != "" {
			if s.ServerAnswered {
				corpus("declared a kubectl error, but the API server answered")
			}
			if !strings.Contains(s.Message, c.KubectlError) {
				corpus("kubectl's error does not contain %q", c.KubectlError)
			}
		}
		if c.ServerError == "" && c.KubectlError == "" && !s.ServerAnswered {
			corpus("declared API server paths, but kubectl failed before asking it")
		}
		if missing, extra := diffPaths(c.Paths, s.Paths); len(missing)+len(extra) > 0 {
			corpus("declared paths %s, kubectl/API server name %s", pathList(c.Paths), pathList(s.Paths))
		}
	}

	if r.Known != nil {
		if e.Verdict != r.Known.Emmdev {
			disagree("known difference lists emmdev as %s, emmdev now says %s (update %s)", r.Known.Emmdev, e.Verdict, KnownDifferencesFile)
		}
		if s.Verdict == e.Verdict {
			disagree("listed as a known difference, but both now say %s: remove it from %s", s.Verdict, KnownDifferencesFile)
		}
		return
	}
	if e.Verdict != s.Verdict {
		disagree("API server says %s, emmdev says %s", s.Verdict, e.Verdict)
		return
	}
	for _, p := range s.Paths {
		if how := namedBy(p, e.Findings); how == "" {
			disagree("no emmdev finding at %s", p)
		}
	}
}

// namedBy says how findings name p: "path", "message" or "" (not at all).
func namedBy(p Path, fs []Finding) string {
	how := ""
	for _, f := range fs {
		named, inMessage := p.NamedBy(f)
		switch {
		case named && !inMessage:
			return "path"
		case named:
			how = "message"
		}
	}
	return how
}

// OK reports whether the case passed.
func (r *Result) OK() bool { return len(r.CorpusProblems) == 0 && len(r.Disagreements) == 0 }

func diffPaths(want, got []Path) (missing, extra []Path) {
	for _, w := range want {
		if !slices.ContainsFunc(got, w.Equal) {
			missing = append(missing, w)
		}
	}
	for _, g := range got {
		if !slices.ContainsFunc(want, g.Equal) {
			extra = append(extra, g)
		}
	}
	return missing, extra
}

func pathList(ps []Path) string {
	if len(ps) == 0 {
		return "(none)"
	}
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = p.String()
	}
	return strings.Join(s, ", ")
}

// Summary counts a run.
type Summary struct {
	Cases, Agree, Disagree, CorpusBad, Known int
	// Rejected is the number of cases the API server rejected; PathsCovered
	// of PathsTotal are the server's paths an emmdev finding names,
	// PathsInMessage of them only by quoting the API server's path.
	Rejected, PathsTotal, PathsCovered, PathsInMessage int
}

// Summarize counts results.
func Summarize(rs []*Result) Summary {
	var s Summary
	for _, r := range rs {
		s.Cases++
		if len(r.CorpusProblems) > 0 {
			s.CorpusBad++
		}
		switch {
		case r.Known != nil:
			s.Known++
		case r.Server.Verdict == r.Emmdev.Verdict:
			s.Agree++
		default:
			s.Disagree++
		}
		if r.Server.Verdict == Reject && r.Known == nil {
			s.Rejected++
			for _, p := range r.Server.Paths {
				s.PathsTotal++
				switch namedBy(p, r.Emmdev.Findings) {
				case "path":
					s.PathsCovered++
				case "message":
					s.PathsCovered++
					s.PathsInMessage++
				}
			}
		}
	}
	return s
}

func (s Summary) String() string {
	compared := s.Cases - s.Known
	pct := func(a, b int) string {
		if b == 0 {
			return "-"
		}
		return fmt.Sprintf("%.1f%%", 100*float64(a)/float64(b))
	}
	return fmt.Sprintf("verdicts agree on %d of %d cases (%s), %d known differences; API server paths named by an emmdev finding: %d of %d (%s; %d of them only quoted in the message); corpus cases not doing what they declare: %d",
		s.Agree, compared, pct(s.Agree, compared), s.Known, s.PathsCovered, s.PathsTotal, pct(s.PathsCovered, s.PathsTotal), s.PathsInMessage, s.CorpusBad)
}

// WriteTable prints one row per failing result (case, API server verdict
// and paths, emmdev verdict and findings, what is wrong), then the full
// messages below, so a failure reads without re-running anything.
func WriteTable(w io.Writer, rs []*Result) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CASE\tAPI SERVER\tEMMDEV\tPROBLEM")
	for _, r := range rs {
		if r.OK() {
			continue
		}
		problems := append(slices.Clone(r.CorpusProblems), r.Disagreements...)
		for i, p := range problems {
			if len(r.CorpusProblems) > 0 && i < len(r.CorpusProblems) {
				p = "corpus: " + p
			}
			if i == 0 {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.Case.Name, cell(serverCell(r.Server)), cell(emmdevCell(r.Emmdev)), p)
			} else {
				fmt.Fprintf(tw, "\t\t\t%s\n", p)
			}
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, r := range rs {
		if r.OK() {
			continue
		}
		fmt.Fprintf(w, "\n%s — %s\n", r.Case.Name, r.Case.Title)
		if r.Case.Rule != "" {
			fmt.Fprintf(w, "  rule:       %s\n", r.Case.Rule)
		}
		fmt.Fprintf(w, "  API server: %s %s\n", r.Server.Verdict, oneLine(r.Server.Message))
		if r.Emmdev.Message != "" {
			fmt.Fprintf(w, "  emmdev:     %s (run failed) %s\n", r.Emmdev.Verdict, oneLine(r.Emmdev.Message))
		} else {
			fmt.Fprintf(w, "  emmdev:     %s\n", r.Emmdev.Verdict)
		}
		for _, f := range r.Emmdev.Findings {
			fmt.Fprintf(w, "    %s\n", oneLine(f.String()))
		}
	}
	return nil
}

// cell keeps table columns narrow; the details below the table are whole.
func cell(s string) string {
	const max = 60
	if len(s) > max {
		return s[:max-1] + "…"
	}
	return s
}

func serverCell(o Outcome) string {
	if o.Verdict == Accept {
		return "accept"
	}
	if !o.ServerAnswered {
		return "reject (kubectl)"
	}
	return "reject " + pathList(o.Paths)
}

func emmdevCell(o Outcome) string {
	if o.Verdict == Accept {
		return "accept"
	}
	if o.Message != "" && len(o.Findings) == 0 {
		return "reject (run failed)"
	}
	var paths []string
	for _, f := range o.Findings {
		p := FormatSegs(f.Path)
		if p == "" {
			p = "-"
		}
		if !slices.Contains(paths, f.Rule+" "+p) {
			paths = append(paths, f.Rule+" "+p)
		}
	}
	return "reject " + strings.Join(paths, ", ")
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	const max = 400
	if len(s) > max {
		s = s[:max] + "…"
	}
	return s
}
