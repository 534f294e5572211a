package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"os"
	"strings"
	"testing"

	jsonschema "github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/emmdev/emmdev/internal/lint/finding"
	"github.com/emmdev/emmdev/internal/lint/rules"
)

func sample(t *testing.T) Input {
	t.Helper()
	reg, err := rules.Default()
	if err != nil {
		t.Fatal(err)
	}
	return Input{
		Rules: reg.All(), Objects: 3, Files: 2, Version: "test",
		Findings: []finding.Finding{
			{File: "manifests/redis.yaml", Line: 23, Col: 11, RuleID: "stateful-without-pvc", Severity: finding.Error,
				Object: "Deployment agentic-ai/redis", Message: "runs redis as a Deployment", Remediation: "use a StatefulSet"},
			{File: "manifests/api,v2.yaml", Line: 5, Col: 3, RuleID: "image-latest", Severity: finding.Warning,
				Object: "Deployment agentic-ai/api", Message: "uses :latest\nreally", Remediation: "pin it"},
		},
	}
}

func TestSARIFValidatesAgainstSchema(t *testing.T) {
	t.Parallel()
	f, err := os.Open("testdata/sarif-schema-2.1.0.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("sarif.json", doc); err != nil {
		t.Fatal(err)
	}
	sch, err := c.Compile("sarif.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range []Input{sample(t), {Rules: sample(t).Rules}} {
		var buf bytes.Buffer
		if err := Write(&buf, "sarif", in); err != nil {
			t.Fatal(err)
		}
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		if err := sch.Validate(inst); err != nil {
			t.Fatalf("SARIF output does not match the 2.1.0 schema: %v", err)
		}
		// What GitHub code scanning needs beyond the schema.
		var log struct {
			Version string `json:"version"`
			Runs    []struct {
				Tool struct {
					Driver struct {
						Rules []struct{ ID string } `json:"rules"`
					} `json:"driver"`
				} `json:"tool"`
				Results []struct {
					RuleID    string `json:"ruleId"`
					RuleIndex int    `json:"ruleIndex"`
					Locations []struct {
						PhysicalLocation struct {
							ArtifactLocation struct{ URI string }                 `json:"artifactLocation"`
							Region           struct{ StartLine, StartColumn int } `json:"region"`
						} `json:"physicalLocation"`
					} `json:"locations"`
				} `json:"results"`
			} `json:"runs"`
		}
		if err := json.Unmarshal(buf.Bytes(), &log); err != nil {
			t.Fatal(err)
		}
		run := log.Runs[0]
		if len(run.Results) != len(in.Findings) {
			t.Fatalf("%d results for %d findings", len(run.Results), len(in.Findings))
		}
		for i, r := range run.Results {
			if run.Tool.Driver.Rules[r.RuleIndex].ID != r.RuleID {
				t.Errorf("result %d: ruleIndex points at %s, not %s", i, run.Tool.Driver.Rules[r.RuleIndex].ID, r.RuleID)
			}
			loc := r.Locations[0].PhysicalLocation
			if loc.ArtifactLocation.URI != in.Findings[i].File || loc.Region.StartLine != in.Findings[i].Line || loc.Region.StartColumn != in.Findings[i].Col {
				t.Errorf("result %d location %+v, want %s:%d:%d", i, loc, in.Findings[i].File, in.Findings[i].Line, in.Findings[i].Col)
			}
		}
	}
}

func TestText(t *testing.T) {
	t.Parallel()
	in := sample(t)
	var buf bytes.Buffer
	if err := Write(&buf, "text", in); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{
		"manifests/redis.yaml:23:11: error [stateful-without-pvc] Deployment agentic-ai/redis: runs redis as a Deployment\n    fix: use a StatefulSet\n",
		"✗ 1 error, 1 warning, 0 info in 3 objects (2 files)\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("text output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "\x1b[") {
		t.Error("colour without Color set")
	}
	in.Color = true
	buf.Reset()
	_ = Write(&buf, "text", in)
	if !strings.Contains(buf.String(), "\x1b[31m") {
		t.Error("no colour with Color set")
	}
}

func TestGitHubAnnotationsAreEscaped(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	if err := Write(&buf, "github", sample(t)); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("want one line per finding, got %q", buf.String())
	}
	if want := "::error file=manifests/redis.yaml,line=23,col=11,title=stateful-without-pvc Deployment agentic-ai/redis::runs redis as a Deployment (fix: use a StatefulSet)"; lines[0] != want {
		t.Errorf("got  %s\nwant %s", lines[0], want)
	}
	if !strings.HasPrefix(lines[1], "::warning file=manifests/api%2Cv2.yaml,line=5,col=3,") || !strings.Contains(lines[1], "uses :latest%0Areally") {
		t.Errorf("properties/data not escaped: %s", lines[1])
	}
}

func TestJUnit(t *testing.T) {
	t.Parallel()
	for _, in := range []Input{sample(t), {Objects: 4, Files: 1}} {
		var buf bytes.Buffer
		if err := Write(&buf, "junit", in); err != nil {
			t.Fatal(err)
		}
		var suites junitSuites
		if err := xml.Unmarshal(buf.Bytes(), &suites); err != nil {
			t.Fatalf("invalid XML: %v\n%s", err, buf.String())
		}
		c := finding.Count(in.Findings)
		// Errors fail; warnings are skipped cases carrying their message.
		if suites.Failures != c.Errors || suites.Skipped != c.Warnings+c.Infos || len(suites.Suites) == 0 || suites.Tests == 0 {
			t.Errorf("junit %+v for %+v", suites, c)
		}
		for _, s := range suites.Suites {
			for _, tc := range s.Cases {
				if tc.Skipped != nil && (tc.Failure != nil || !strings.Contains(tc.Skipped.Message, "warning [image-latest]")) {
					t.Errorf("warning case %+v: want skipped with its message, no failure", tc)
				}
			}
		}
	}
}

// TestNamesCannotForgeLines: an object name or message with a newline,
// carriage return or ANSI escape stays on its finding's line in text and
// github output, and stays data in every other format.
func TestNamesCannotForgeLines(t *testing.T) {
	t.Parallel()
	evil := Input{Rules: sample(t).Rules, Objects: 1, Files: 1, Findings: []finding.Finding{{
		File: "m/x\n::error file=y,line=1::forged.yaml", Line: 3, Col: 5, RuleID: "image-latest", Severity: finding.Error,
		Object:  "Deployment ns/a\n::error file=forged.yaml,line=1::forged\rx\x1b[31m",
		Message: "bad\nforged.yaml:1:1: error [plaintext-secret] fake", Remediation: "fix\n::warning::x",
	}}}
	for _, format := range Formats() {
		var buf bytes.Buffer
		if err := Write(&buf, format, evil); err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		if strings.Contains(out, "\x1b") || strings.Contains(out, "\r") {
			t.Errorf("%s: raw control character in output:\n%q", format, out)
		}
		switch format {
		case "text", "github":
			for _, line := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
				if strings.HasPrefix(line, "::") && !strings.HasPrefix(line, "::error file=m/x%0A") ||
					strings.HasPrefix(line, "forged.yaml") {
					t.Errorf("%s: forged line %q in\n%s", format, line, out)
				}
			}
			if format == "text" && strings.Count(out, "\n") != 3 { // finding, fix, summary
				t.Errorf("text: %d lines, want 3:\n%s", strings.Count(out, "\n"), out)
			}
		case "json", "sarif":
			var v any
			if err := json.Unmarshal(buf.Bytes(), &v); err != nil || !strings.Contains(out, `\nforged.yaml:1:1`) {
				t.Errorf("%s: message not kept as escaped data (%v):\n%s", format, err, out)
			}
		case "junit":
			var v junitSuites
			if err := xml.Unmarshal(buf.Bytes(), &v); err != nil || v.Suites[0].Cases[0].Failure.Message != evil.Findings[0].Message {
				t.Errorf("junit: message not round-tripped (%v):\n%s", err, out)
			}
		}
	}
}

func TestSummaryMark(t *testing.T) {
	t.Parallel()
	warn := sample(t)
	warn.Findings = warn.Findings[1:] // the image-latest warning only
	for _, tc := range []struct {
		in   Input
		mark string
	}{{sample(t), "✗ "}, {warn, "⚠ "}, {Input{Objects: 1, Files: 1}, "✓ "}} {
		var buf bytes.Buffer
		if err := Write(&buf, "text", tc.in); err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
		if last := lines[len(lines)-1]; !strings.HasPrefix(last, tc.mark) {
			t.Errorf("summary %q, want mark %q", last, tc.mark)
		}
	}
}

func TestJSON(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	if err := Write(&buf, "json", Input{Objects: 1, Files: 1}); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Findings []finding.Finding `json:"findings"`
		Objects  int               `json:"objects"`
	}
	if err := json.Unmarshal(buf.Bytes(), &got); err != nil || got.Findings == nil || got.Objects != 1 {
		t.Errorf("clean JSON report %s: %v", buf.String(), err)
	}
	buf.Reset()
	_ = Write(&buf, "json", sample(t))
	if !strings.Contains(buf.String(), `"severity": "error"`) || !strings.Contains(buf.String(), `"line": 23`) {
		t.Errorf("json lacks severity/line:\n%s", buf.String())
	}
	if err := Write(&buf, "yaml", Input{}); err == nil {
		t.Error("unknown format accepted")
	}
}
