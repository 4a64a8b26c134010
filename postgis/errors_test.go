package postgis

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/coalmap/coalmap/layers"
)

// TestTranslateConnectionFailures: a connection cut under a statement is
// the database unavailable (503), never an internal error; a full disk
// says so; anything else unknown stays internal.
func TestTranslateConnectionFailures(t *testing.T) {
	reset := &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", syscall.ECONNRESET)}
	cases := []struct {
		name string
		err  error
		want error // nil: internal
	}{
		{"reset by peer", fmt.Errorf("failed to receive message: %w", reset), layers.ErrUnavailable},
		{"broken pipe", fmt.Errorf("write failed: %w", syscall.EPIPE), layers.ErrUnavailable},
		{"unexpected EOF", fmt.Errorf("receive message: %w", io.ErrUnexpectedEOF), layers.ErrUnavailable},
		{"disk full", &pgconn.PgError{Code: "53100", Message: "could not extend file"}, layers.ErrNoSpace},
		{"statement timeout", &pgconn.PgError{Code: "57014"}, layers.ErrUnavailable},
		{"something else", errors.New("strange"), nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := translate("read", tc.err)
			var se *layers.StoreError
			if !errors.As(got, &se) {
				t.Fatalf("%v is not a StoreError", got)
			}
			if se.Kind != tc.want {
				t.Errorf("kind %v, want %v (%v)", se.Kind, tc.want, got)
			}
			if tc.want != nil && (errors.Is(got, syscall.ECONNRESET) || se.Error() == tc.err.Error()) {
				t.Errorf("the driver's words leak: %v", got)
			}
		})
	}
}
