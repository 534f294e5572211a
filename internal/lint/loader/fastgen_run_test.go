package loader

import (
	"fmt"
	"testing"
)

// agrees reports whether the fast path and yaml.v3 alone read data the
// same way (compareFast without a testing.T, for minimising a failure).
func agrees(data []byte) (ok bool) {
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	opts := Options{}.withDefaults()
	got, _ := readDocs(newDocSource("m.yaml", data, opts))
	want, _ := readDocs(&docSource{name: "m.yaml", data: data, opts: opts})
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if diffDoc(got[i], want[i]) != "" {
			return false
		}
	}
	return true
}

// minimise shrinks an input the two paths disagree on: it drops lines,
// then single bytes, as long as they still disagree.
func minimise(data []byte) []byte {
	cur := string(data)
	for changed := true; changed; {
		changed = false
		for i := 0; i < len(cur); {
			j := i
			for j < len(cur) && cur[j] != '\n' {
				j++
			}
			if j < len(cur) {
				j++
			}
			if try := cur[:i] + cur[j:]; try != cur && !agrees([]byte(try)) {
				cur, changed = try, true
				continue
			}
			i = j
		}
		for i := 0; i < len(cur); {
			if try := cur[:i] + cur[i+1:]; !agrees([]byte(try)) {
				cur, changed = try, true
				continue
			}
			i++
		}
	}
	return []byte(cur)
}

// compareGenerated is compareFast that, when the paths disagree, also
// logs the input and (if shrink) a minimised input with the same
// disagreement. The fuzz target does not shrink: the fuzzer minimises a
// failing input itself, calling the target many times.
func compareGenerated(t *testing.T, name string, data []byte, shrink bool) (fastRead, docs int) {
	t.Helper()
	defer func() {
		if t.Failed() {
			t.Logf("%s: input %q", name, data)
			if shrink && !agrees(data) {
				t.Logf("%s: minimised %q", name, minimise(data))
			}
		}
	}()
	return compareFast(t, name, data)
}

// TestFastPathGenerated compares both paths on generated files: clean ones
// (only constructs the fast path reads), ones with near-misses and ones
// with random edits. The clean ones must mostly be read by the fast path
// itself, or a fast path that gives up on everything would pass.
func TestFastPathGenerated(t *testing.T) {
	for _, c := range []struct {
		name     string
		miss     float64
		muts     int
		n        int
		minShare float64 // of the documents the fast path must read
	}{
		{"clean", 0, 0, 1500, 0.85},
		{"near-misses", 0.01, 0, 1500, 0.2},
		{"edited", 0, 2, 1500, 0.2},
		{"near-misses edited", 0.01, 3, 1000, 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			fast, all, files := 0, 0, 0
			for seed := range int64(c.n) {
				data := generated(seed, nil, c.miss, c.muts)
				f, n := compareGenerated(t, fmt.Sprintf("seed%d.yaml", seed), data, true)
				fast, all = fast+f, all+n
				if f == n {
					files++
				}
			}
			share := float64(fast) / float64(max(all, 1))
			t.Logf("the fast path read %d of %d documents (%.0f%%); %d of %d files whole", fast, all, 100*share, files, c.n)
			if share < c.minShare {
				t.Errorf("the fast path read only %.0f%% of the documents, want at least %.0f%%", 100*share, 100*c.minShare)
			}
		})
	}
}

// FuzzFastPathGenerated drives the generator with the fuzzer's bytes (its
// choices, while they last) and seed: whatever comes out, both paths must
// read it the same way.
func FuzzFastPathGenerated(f *testing.F) {
	f.Add(int64(1), []byte{}, uint8(0), uint8(0))
	f.Add(int64(2), []byte{3, 1, 4, 1, 5, 9, 2, 6}, uint8(30), uint8(1))
	f.Add(int64(3), []byte("generated"), uint8(10), uint8(3))
	f.Fuzz(func(t *testing.T, seed int64, choices []byte, miss, muts uint8) {
		data := generated(seed, choices, float64(miss%100)/400, int(muts%5))
		compareGenerated(t, "gen.yaml", data, false)
	})
}

// TestFastPathGeneratedMaxDepth compares both paths under small nesting
// limits: the fast path must give up (not read, not fail differently)
// wherever the converter says the nesting is too deep.
func TestFastPathGeneratedMaxDepth(t *testing.T) {
	fast, all := 0, 0
	for seed := range int64(300) {
		data := generated(seed, nil, 0, 0)
		for depth := 1; depth <= 8; depth++ {
			opts := Options{MaxDepth: depth}.withDefaults()
			got, f := readDocs(newDocSource("d.yaml", data, opts))
			want, _ := readDocs(&docSource{name: "d.yaml", data: data, opts: opts})
			fast, all = fast+f, all+len(want)
			if len(got) != len(want) {
				t.Fatalf("seed %d, MaxDepth %d: %d results with the fast path, %d with yaml.v3 alone\n%q", seed, depth, len(got), len(want), data)
			}
			for i := range got {
				if d := diffDoc(got[i], want[i]); d != "" {
					t.Fatalf("seed %d, MaxDepth %d: document %d: %s\n%q", seed, depth, i+1, d, data)
				}
			}
		}
	}
	if fast == 0 || fast == all {
		t.Errorf("the fast path read %d of %d documents: the limits were not exercised both ways", fast, all)
	}
}
