package tiles

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func entry(n int) *Entry { return &Entry{MVT: bytes.Repeat([]byte{'x'}, n), ETag: `"e"`} }

func TestCacheBoundedInBytes(t *testing.T) {
	c := NewCache(10 * (1000 + entryOverhead))
	for i := range 20 {
		c.Add(fmt.Sprint(i), entry(1000))
	}
	st := c.Stats()
	if st.Entries != 10 || st.Bytes > st.MaxBytes || st.Evictions != 10 {
		t.Fatalf("stats %+v", st)
	}
	if _, ok := c.Get("0"); ok {
		t.Fatal("oldest entry not evicted")
	}
	if _, ok := c.Get("19"); !ok {
		t.Fatal("newest entry evicted")
	}
	// Using an entry keeps it.
	c.Get("10")
	c.Add("new", entry(1000))
	if _, ok := c.Get("10"); !ok {
		t.Fatal("recently used entry evicted")
	}
	if _, ok := c.Get("11"); ok {
		t.Fatal("least recently used entry kept")
	}
	c.Add("huge", entry(1<<20))
	if _, ok := c.Get("huge"); ok {
		t.Fatal("entry larger than the cache stored")
	}
}

func TestCacheCountsGzipBytes(t *testing.T) {
	c := NewCache(1 << 20)
	e := &Entry{MVT: []byte("some tile bytes that compress"), ETag: `"abc"`}
	c.Add("k", e)
	before := c.Stats().Bytes
	zr, err := gzip.NewReader(bytes.NewReader(e.Gzip()))
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := io.ReadAll(zr)
	if !bytes.Equal(plain, e.MVT) {
		t.Fatal("gzip form does not decompress to the tile")
	}
	c.Get("k")
	if after := c.Stats().Bytes; after <= before {
		t.Fatalf("bytes %d after gzip, %d before", after, before)
	}
	if e.GzipETag() != `"abc-gz"` {
		t.Fatalf("gzip etag %s", e.GzipETag())
	}
}

func TestCacheDisabled(t *testing.T) {
	c := NewCache(0)
	c.Add("k", entry(1))
	if _, ok := c.Get("k"); ok {
		t.Fatal("a cache of 0 bytes stored an entry")
	}
}

func TestFlightRunsOnceForConcurrentCallers(t *testing.T) {
	var g flight
	var runs atomic.Int32
	release := make(chan struct{})
	var wg sync.WaitGroup
	results := make([]*Entry, 20)
	for i := range results {
		wg.Go(func() {
			e, _, err := g.do(context.Background(), "k", func(ctx context.Context) (*Entry, error) {
				runs.Add(1)
				<-release
				return entry(1), nil
			})
			if err != nil {
				t.Error(err)
			}
			results[i] = e
		})
	}
	time.Sleep(50 * time.Millisecond)
	close(release)
	wg.Wait()
	if runs.Load() != 1 {
		t.Fatalf("%d runs, want 1", runs.Load())
	}
	for _, e := range results {
		if e != results[0] {
			t.Fatal("callers got different results")
		}
	}
}

func TestFlightCancelsWorkOnlyWhenEveryCallerLeft(t *testing.T) {
	var g flight
	started := make(chan struct{})
	workErr := make(chan error, 1)
	work := func(ctx context.Context) (*Entry, error) {
		close(started)
		select {
		case <-ctx.Done():
			workErr <- ctx.Err()
			return nil, ctx.Err()
		case <-time.After(2 * time.Second):
			workErr <- nil
			return entry(1), nil
		}
	}
	ctx1, cancel1 := context.WithCancel(context.Background())
	ctx2, cancel2 := context.WithCancel(context.Background())
	errs := make(chan error, 2)
	go func() { _, _, err := g.do(ctx1, "k", work); errs <- err }()
	<-started
	go func() { _, _, err := g.do(ctx2, "k", work); errs <- err }()
	time.Sleep(20 * time.Millisecond)
	cancel1()
	if err := <-errs; !errors.Is(err, context.Canceled) {
		t.Fatalf("first caller: %v", err)
	}
	select {
	case err := <-workErr:
		t.Fatalf("work ended (%v) while a caller still waits", err)
	case <-time.After(50 * time.Millisecond):
	}
	cancel2()
	<-errs
	select {
	case err := <-workErr:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("work ended with %v, want cancelled", err)
		}
	case <-time.After(time.Second):
		t.Fatal("work not cancelled after every caller left")
	}
}
