package formats

import (
	"bufio"
	"io"
	"math"
	"os"
	"runtime"
)

func bufioWriter(w io.Writer) *bufio.Writer { return bufio.NewWriterSize(w, 1<<20) }

func cos(a float64) float64 { return math.Cos(a) }
func sin(a float64) float64 { return math.Sin(a) }

type runtimeMemStats struct{ m runtime.MemStats }

// heapInuse returns the live heap after a collection.
func (r *runtimeMemStats) heapInuse() uint64 {
	runtime.GC()
	runtime.ReadMemStats(&r.m)
	return r.m.HeapInuse
}

func mustRead(t interface{ Fatal(...any) }, p string) []byte {
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
