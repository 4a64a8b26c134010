package main

import (
	"testing"

	"github.com/coalmap/coalmap/postgis/pgtest"
)

// TestMain gives the package's tests a throwaway PostGIS (pgtest.Main). The
// catalog branch declares the same TestMain in token_test.go: keep one.
func TestMain(m *testing.M) { pgtest.Main(m) }
