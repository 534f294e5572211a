// Package parallel runs independent, indexed pieces of work on a bounded pool
// of goroutines; the loader (files) and the lint engine (objects) share it.
package parallel

import (
	"context"
	"errors"
	"sync"
)

// ForEach calls fn(i) for every i in [0, n) on at most workers goroutines and
// waits for all of them. fn must write only to slot i of any shared slice, so
// callers need no locking. It stops handing out work when ctx is done and
// then returns ctx.Err(); otherwise it returns every error fn returned,
// joined in index order so a user sees all broken inputs in one run.
func ForEach(ctx context.Context, n, workers int, fn func(i int) error) error {
	errs := make([]error, n)
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(max(workers, 1), max(n, 1)) {
		wg.Go(func() {
			for i := range next {
				errs[i] = fn(i)
			}
		})
	}
feed:
	for i := range n {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return err
	}
	return errors.Join(errs...)
}
