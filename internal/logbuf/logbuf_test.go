package logbuf

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
)

func lines(r *Ring) []string {
	out := make([]string, r.Len())
	for i := range out {
		out[i] = r.Line(i)
	}
	return out
}

func TestRingKeepsTheNewestLinesWithinTheLineBudget(t *testing.T) {
	t.Parallel()
	r := New(3, 1<<20)
	for i := range 10 {
		r.Add(fmt.Sprintf("line %d", i))
	}
	if got := strings.Join(lines(r), "|"); got != "line 7|line 8|line 9" {
		t.Errorf("ring = %s, want the newest 3", got)
	}
	if r.Dropped() != 7 || r.Bytes() != 18 {
		t.Errorf("dropped %d bytes %d, want 7 and 18", r.Dropped(), r.Bytes())
	}
}

func TestRingKeepsTheByteBudget(t *testing.T) {
	t.Parallel()
	r := New(1000, 2048) // maxLine 256
	for i := range 500 {
		r.Add(fmt.Sprintf("%03d %s", i, strings.Repeat("x", 96))) // 100 bytes
		if r.Bytes() > 2048 {
			t.Fatalf("after %d lines the ring holds %d bytes, budget 2048", i+1, r.Bytes())
		}
	}
	if r.Len() != 20 || !strings.HasPrefix(r.Line(0), "480 ") || !strings.HasPrefix(r.Line(19), "499 ") {
		t.Errorf("ring holds %d lines from %q to %q; want the newest 20", r.Len(), r.Line(0)[:4], r.Line(r.Len() - 1)[:4])
	}
	// The backing slice stays bounded however long the log runs.
	if cap(r.buf) > 2*1000+1 {
		t.Errorf("backing slice grew to %d", cap(r.buf))
	}
}

func TestRingCutsAHugeLine(t *testing.T) {
	t.Parallel()
	r := New(10, 4096) // maxLine 512
	r.Add(strings.Repeat("é", 1000))
	got := r.Line(0)
	if !strings.HasSuffix(got, Truncated) || len(got) > 512+len(Truncated) {
		t.Errorf("line of %d bytes kept as %d bytes", 2000, len(got))
	}
	if !strings.HasPrefix(got, "é") || strings.ContainsRune(strings.TrimSuffix(got, Truncated), '\uFFFD') {
		t.Error("cut inside a rune")
	}
}

func TestReadLinesBoundsMemoryAndSplitsLines(t *testing.T) {
	t.Parallel()
	endless := strings.Repeat("A", 1<<20) // one 1 MiB line, then more
	in := "first\r\nsecond\n" + endless + "\nthird\nno newline at end"
	var got []string
	if err := ReadLines(strings.NewReader(in), 64, func(s string) { got = append(got, s) }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 5 || got[0] != "first" || got[1] != "second" || got[3] != "third" || got[4] != "no newline at end" {
		t.Fatalf("lines = %q", got)
	}
	if !strings.HasSuffix(got[2], Truncated) || len(got[2]) > 64+len(Truncated) {
		t.Errorf("the 1 MiB line came out as %d bytes", len(got[2]))
	}
}

type failing struct{ r io.Reader }

func (f failing) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	if errors.Is(err, io.EOF) {
		return n, errors.New("stream reset")
	}
	return n, err
}

func TestReadLinesReportsAReadError(t *testing.T) {
	t.Parallel()
	var got []string
	err := ReadLines(failing{strings.NewReader("a\nb")}, 64, func(s string) { got = append(got, s) })
	if err == nil || err.Error() != "stream reset" || strings.Join(got, ",") != "a,b" {
		t.Errorf("err %v lines %q", err, got)
	}
}

func FuzzReadLines(f *testing.F) {
	f.Add([]byte("a\nb\r\n"), 16)
	f.Add([]byte(strings.Repeat("x", 100)+"\n"), 16)
	f.Add([]byte("\xff\xfe\n\n\n"), 1)
	f.Fuzz(func(t *testing.T, data []byte, maxLine int) {
		maxLine = maxLine%512 + 1
		r := New(8, 1024)
		err := ReadLines(strings.NewReader(string(data)), maxLine, func(s string) {
			if len(s) > max(maxLine, 16)+len(Truncated) {
				t.Fatalf("line of %d bytes with maxLine %d", len(s), maxLine)
			}
			if strings.Contains(s, "\n") {
				t.Fatal("line contains a newline")
			}
			r.Add(s)
		})
		if err != nil {
			t.Fatal(err)
		}
		if r.Len() > 8 || r.Bytes() > 1024 {
			t.Fatalf("ring over budget: %d lines %d bytes", r.Len(), r.Bytes())
		}
	})
}
