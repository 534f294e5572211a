package parallel

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
)

func TestForEachVisitsEveryIndexOnce(t *testing.T) {
	t.Parallel()
	for _, workers := range []int{0, 1, 3, 64} {
		seen := make([]int32, 100)
		if err := ForEach(context.Background(), len(seen), workers, func(i int) error {
			atomic.AddInt32(&seen[i], 1)
			return nil
		}); err != nil {
			t.Fatalf("workers=%d: %v", workers, err)
		}
		for i, c := range seen {
			if c != 1 {
				t.Fatalf("workers=%d: index %d visited %d times", workers, i, c)
			}
		}
	}
}

func TestForEachJoinsErrorsInIndexOrder(t *testing.T) {
	t.Parallel()
	err := ForEach(context.Background(), 5, 2, func(i int) error {
		if i%2 == 1 {
			return errors.New("bad " + string(rune('0'+i)))
		}
		return nil
	})
	if err == nil || err.Error() != "bad 1\nbad 3" {
		t.Fatalf("err = %q, want both failures in order", err)
	}
}

func TestForEachStopsOnCancel(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	var calls atomic.Int32
	err := ForEach(ctx, 1000, 1, func(int) error {
		if calls.Add(1) == 3 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if n := calls.Load(); n >= 1000 || n < 3 {
		t.Fatalf("%d calls after cancel at 3", n)
	}
	if strings.Contains(err.Error(), "bad") {
		t.Fatal("unexpected error content")
	}
}

func TestForEachZeroItems(t *testing.T) {
	t.Parallel()
	if err := ForEach(context.Background(), 0, 4, func(int) error {
		t.Error("fn called with no items")
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}
