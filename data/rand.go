package data

import (
	"hash/fnv"
	"math"
)

// rng is a small splitmix64 generator. The demo uses its own generator rather
// than math/rand so that the byte-identical output for a seed is a property of
// this package alone, whatever the Go release.
type rng struct{ s uint64 }

// newRNG returns a generator for seed and a stream name: each layer (and each
// shared set such as the coal blocks) draws from its own stream, so adding a
// layer never changes the features of another.
func newRNG(seed int64, stream string) *rng {
	h := fnv.New64a()
	h.Write([]byte(stream))
	r := &rng{s: uint64(seed) ^ h.Sum64()}
	r.next()
	return r
}

func (r *rng) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	z := r.s
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// float returns a number in [0, 1).
func (r *rng) float() float64 { return float64(r.next()>>11) / (1 << 53) }

// between returns a number in [lo, hi).
func (r *rng) between(lo, hi float64) float64 { return lo + (hi-lo)*r.float() }

// intn returns an integer in [0, n).
func (r *rng) intn(n int) int {
	if n <= 0 {
		return 0
	}
	return int(r.next() % uint64(n))
}

// rangeInt returns an integer in [lo, hi].
func (r *rng) rangeInt(lo, hi int) int { return lo + r.intn(hi-lo+1) }

// chance reports true with probability p.
func (r *rng) chance(p float64) bool { return r.float() < p }

// normal returns a standard normal deviate (Box–Muller).
func (r *rng) normal() float64 {
	u := 1 - r.float()
	return math.Sqrt(-2*math.Log(u)) * math.Cos(2*math.Pi*r.float())
}

// logNormal returns a log-normally distributed number with the given median.
func (r *rng) logNormal(median, sigma float64) float64 {
	return median * math.Exp(sigma*r.normal())
}

// pick returns one of choices.
func pick[T any](r *rng, choices []T) T { return choices[r.intn(len(choices))] }

// weighted returns an index drawn with the given weights.
func (r *rng) weighted(w []float64) int {
	var sum float64
	for _, x := range w {
		sum += x
	}
	x := r.float() * sum
	for i, v := range w {
		if x < v {
			return i
		}
		x -= v
	}
	return len(w) - 1
}
