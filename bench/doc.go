// Package bench holds the service's benchmarks, run against a real PostGIS:
//
//	go test ./bench -run '^$' -bench . -benchtime 10x
//
// Figures and how they were obtained are in BENCHMARKS.md.
package bench
