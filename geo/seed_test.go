package geo

import (
	"os"
	"strconv"
)

func testSeed() uint64 {
	v, _ := strconv.ParseUint(os.Getenv("GEO_TEST_SEED"), 10, 64)
	return v
}
