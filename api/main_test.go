package api

import (
	"testing"

	"github.com/coalmap/coalmap/postgis/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }
