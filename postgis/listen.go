package postgis

import (
	"context"
	"fmt"
)

// Listen delivers the payload of every NOTIFY on channel to fn until ctx
// ends, on a connection of its own taken from the pool (held for the
// duration). ready is called once the LISTEN is in place. It returns when
// ctx ends or the connection fails; the caller reconnects by calling again.
func (s *Store) Listen(ctx context.Context, channel string, ready func(), fn func(payload string)) error {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return fmt.Errorf("postgis: listen: %w", err)
	}
	// The connection has LISTEN state: never hand it back to the pool.
	pc := conn.Hijack()
	defer pc.Close(context.WithoutCancel(ctx)) //nolint:errcheck
	if _, err := pc.Exec(ctx, "LISTEN "+quote(channel)); err != nil {
		return fmt.Errorf("postgis: listen: %w", err)
	}
	if ready != nil {
		ready()
	}
	for {
		n, err := pc.WaitForNotification(ctx)
		if err != nil {
			return fmt.Errorf("postgis: listen: %w", err)
		}
		fn(n.Payload)
	}
}
