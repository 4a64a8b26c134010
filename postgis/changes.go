package postgis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

	"github.com/coalmap/coalmap/layers"
)

// The change log: every transaction that changes a layer calls
// publishChange once, as its last statement before commit.

var (
	_ layers.ChangeFeed = (*Store)(nil)
	_ layers.ChangeAcks = (*Store)(nil)
)

// changeLockClass is the advisory lock that orders the change log: a
// publisher holds it (transaction-scoped) from before its change's id is
// drawn until its commit, so that ids are committed in increasing order and
// a listener that has seen id n has seen every change before it.
const changeLockClass = 0x636367 // "ccg"

// maxPayload bounds a NOTIFY payload (PostgreSQL refuses 8000 bytes and
// more); a larger change is announced by its id alone.
const maxPayload = 7000

const (
	sqlChangeLock   = `SELECT pg_advisory_xact_lock($1, 0)`
	sqlChangeInsert = `INSERT INTO catalog.changes (layer_id, kind, data_version, metadata_version, bbox, feature_ids, lsn)
VALUES ($1, $2, $3, $4, $5, $6, pg_current_wal_insert_lsn()) RETURNING id, at, lsn::text`
	sqlChangeNotify = `SELECT pg_notify('` + layers.ChangesChannel + `', $1)`
	changeColumns   = `id, layer_id, kind, data_version, metadata_version, bbox, feature_ids, lsn::text, at`
	sqlChangesAfter = `SELECT ` + changeColumns + ` FROM catalog.changes WHERE id > $1 ORDER BY id LIMIT 10000`
	sqlLastChange   = `SELECT coalesce(max(id), 0) FROM catalog.changes`
	// Rows of listeners whose connection has gone, then this one's.
	sqlListenerGone = `DELETE FROM catalog.listeners l WHERE NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.pid = l.pid)`
	sqlListenerJoin = `INSERT INTO catalog.listeners (pid, backend_start, name, last_change)
SELECT pg_backend_pid(), (SELECT backend_start FROM pg_stat_activity WHERE pid = pg_backend_pid()), $1, $2
ON CONFLICT (pid) DO UPDATE SET backend_start = excluded.backend_start, name = excluded.name,
    last_change = excluded.last_change, acked_at = now()`
	sqlListenerAck = `UPDATE catalog.listeners SET last_change = $1, acked_at = now() WHERE pid = pg_backend_pid()`
	// The live listeners (their connection still open) and those behind id.
	sqlListenersBehind = `SELECT count(*), count(*) FILTER (WHERE l.last_change < $1)
FROM catalog.listeners l JOIN pg_stat_activity a ON a.pid = l.pid
    AND (l.backend_start IS NULL OR a.backend_start IS NULL OR a.backend_start = l.backend_start)`
)

// publishChange writes ch to the change log and announces it, inside tx:
// the one change event of the commit. It fills in ch's ID, LSN and At. Call
// it last in the transaction: it takes the change-log lock, which is held
// until commit (see the lock order in the package documentation).
func publishChange(ctx context.Context, tx pgx.Tx, ch *layers.Change) error {
	if _, err := tx.Exec(ctx, sqlChangeLock, changeLockClass); err != nil {
		return err
	}
	var bbox []float64
	if ch.BBox != (orb.Bound{}) {
		bbox = []float64{ch.BBox.Min[0], ch.BBox.Min[1], ch.BBox.Max[0], ch.BBox.Max[1]}
	}
	ids := ch.FeatureIDs
	if ids == nil {
		ids = []string{}
	}
	if err := tx.QueryRow(ctx, sqlChangeInsert, ch.Layer, ch.Kind.String(), ch.Version, ch.MetadataVersion, bbox, ids).
		Scan(&ch.ID, &ch.At, &ch.LSN); err != nil {
		return err
	}
	payload, err := json.Marshal(ch)
	if err != nil {
		return err
	}
	if len(payload) > maxPayload {
		payload = []byte(`{"id":` + strconv.FormatInt(ch.ID, 10) + `}`)
	}
	_, err = tx.Exec(ctx, sqlChangeNotify, string(payload))
	return err
}

// lockLayerRow locks layer id's catalog row in tx and returns the layer:
// the first lock of any transaction that writes a layer's table (see the
// lock order in the package documentation). A missing layer is
// layers.ErrNotFound.
func lockLayerRow(ctx context.Context, tx pgx.Tx, id string) (layers.Layer, error) {
	l, err := scanLayer(tx.QueryRow(ctx, sqlLayer+" FOR UPDATE", id))
	if errors.Is(err, pgx.ErrNoRows) {
		return l, fmt.Errorf("postgis: layer %q: %w", id, layers.ErrNotFound)
	}
	return l, err
}

// publishLayer publishes a change of kind to layer id, with the data and
// metadata versions catalog.layers holds for it in tx.
func publishLayer(ctx context.Context, tx pgx.Tx, id string, kind layers.ChangeKind, bbox orb.Bound) (layers.Change, error) {
	ch := layers.Change{Layer: id, Kind: kind, BBox: bbox}
	if err := tx.QueryRow(ctx, `SELECT data_version, metadata_version FROM catalog.layers WHERE id = $1`, id).
		Scan(&ch.Version, &ch.MetadataVersion); err != nil {
		return ch, err
	}
	return ch, publishChange(ctx, tx, &ch)
}

// extentBound is an extent as a bound, the zero bound for none.
func extentBound(e *layers.Extent) orb.Bound {
	if e == nil {
		return orb.Bound{}
	}
	return e.Bound()
}

// unionBound is the bound of a and b, either of which may be the zero bound
// (none).
func unionBound(a, b orb.Bound) orb.Bound {
	switch {
	case a == orb.Bound{}:
		return b
	case b == orb.Bound{}:
		return a
	}
	return a.Union(b)
}

// LastChange returns the id of the newest change in the log.
func (s *Store) LastChange(ctx context.Context) (int64, error) {
	var id int64
	if err := s.pool.QueryRow(ctx, sqlLastChange).Scan(&id); err != nil {
		return 0, translate("last change", err)
	}
	return id, nil
}

func scanChange(row pgx.Row) (layers.Change, error) {
	var ch layers.Change
	var kind string
	var bbox []float64
	if err := row.Scan(&ch.ID, &ch.Layer, &kind, &ch.Version, &ch.MetadataVersion, &bbox, &ch.FeatureIDs, &ch.LSN, &ch.At); err != nil {
		return ch, err
	}
	k, err := layers.ParseChangeKind(kind)
	if err != nil {
		return ch, err
	}
	ch.Kind = k
	if len(bbox) == 4 {
		ch.BBox = orb.Bound{Min: orb.Point{bbox[0], bbox[1]}, Max: orb.Point{bbox[2], bbox[3]}}
	}
	if len(ch.FeatureIDs) == 0 {
		ch.FeatureIDs = nil
	}
	return ch, nil
}

// FollowChanges implements layers.ChangeFeed: on a connection of its own
// (held for the call), it LISTENs on the changes channel, registers as a
// listener, catches up from the log and then follows each NOTIFY, reading
// the log whenever a payload does not follow on from the last change seen
// (a gap, or a change announced by its id alone). After fn returns nil for
// a change, the change is acknowledged in catalog.listeners.
func (s *Store) FollowChanges(ctx context.Context, name string, after int64, fn func(layers.Change) error) error {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return translate("follow changes", err)
	}
	// The connection has LISTEN state: never hand it back to the pool.
	pc := conn.Hijack()
	defer pc.Close(context.WithoutCancel(ctx)) //nolint:errcheck
	for _, q := range []string{"LISTEN " + quote(layers.ChangesChannel), sqlListenerGone} {
		if _, err := pc.Exec(ctx, q); err != nil {
			return translate("follow changes", err)
		}
	}
	if err := s.checkHistory(ctx, pc, name, after); err != nil {
		return err
	}
	if _, err := pc.Exec(ctx, sqlListenerJoin, name, after); err != nil {
		return translate("follow changes", err)
	}
	last := after
	// visible is a WAL position at or past the commit of every change read
	// so far, for the replicas (see "Reads from replicas" in the package
	// documentation): read after the change was seen, so after its commit.
	var visible uint64
	readVisible := func() error {
		if s.reads.Replicas() == 0 {
			return nil
		}
		var lsn string
		if err := pc.QueryRow(ctx, `SELECT pg_current_wal_insert_lsn()::text`).Scan(&lsn); err != nil {
			return translate("follow changes", err)
		}
		v, err := ParseLSN(lsn)
		if err != nil {
			return err
		}
		visible = v
		return nil
	}
	deliver := func(ch layers.Change) error {
		if ch.ID <= last {
			return nil
		}
		// Before any subscriber hears of the new version, reads of the
		// layer need a replica that has its commit.
		s.reads.Require(ch.Layer, visible)
		if err := fn(ch); err != nil {
			return err
		}
		last = ch.ID
		s.markSeen(name, ch)
		if _, err := pc.Exec(ctx, sqlListenerAck, last); err != nil {
			return translate(fmt.Sprintf("acknowledge change %d", last), err)
		}
		return nil
	}
	catchUp := func() error {
		for {
			rows, err := pc.Query(ctx, sqlChangesAfter, last)
			if err != nil {
				return translate("read changes", err)
			}
			chs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (layers.Change, error) { return scanChange(r) })
			if err != nil {
				return translate("read changes", err)
			}
			if err := readVisible(); err != nil {
				return err
			}
			for _, ch := range chs {
				if err := deliver(ch); err != nil {
					return err
				}
			}
			if len(chs) < 10000 {
				return nil
			}
		}
	}
	if err := catchUp(); err != nil {
		return err
	}
	for {
		n, err := pc.WaitForNotification(ctx)
		if err != nil {
			return translate("follow changes", err)
		}
		var ch layers.Change
		if json.Unmarshal([]byte(n.Payload), &ch) != nil || ch.ID <= last {
			continue
		}
		if ch.ID == last+1 && ch.Layer != "" {
			if err = readVisible(); err == nil {
				err = deliver(ch)
			}
		} else {
			err = catchUp()
		}
		if err != nil {
			return err
		}
	}
}

// changeMark is what tells one change from another under the same id: its
// WAL position and time.
type changeMark struct {
	id  int64
	lsn string
	at  int64 // µs since the epoch
}

func (s *Store) markSeen(name string, ch layers.Change) {
	s.seenMu.Lock()
	defer s.seenMu.Unlock()
	if s.seen == nil {
		s.seen = map[string]changeMark{}
	}
	s.seen[name] = changeMark{id: ch.ID, lsn: ch.LSN, at: ch.At.UnixMicro()}
}

// checkHistory returns an error wrapping layers.ErrHistoryRewound when the
// log has lost the change numbered after that this store last delivered to
// name, or holds another one under its number: the database is a standby
// promoted before it had received the last commits. The replicas' rule
// then starts again from the new primary's position.
func (s *Store) checkHistory(ctx context.Context, pc *pgx.Conn, name string, after int64) error {
	s.seenMu.Lock()
	m, ok := s.seen[name]
	s.seenMu.Unlock()
	if !ok || after <= 0 || m.id != after {
		return nil
	}
	var lsn string
	var at time.Time
	err := pc.QueryRow(ctx, `SELECT lsn::text, at FROM catalog.changes WHERE id = $1`, after).Scan(&lsn, &at)
	rewound := false
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		// Gone: pruned (the log keeps a week), or never committed here.
		var newest int64
		if err := pc.QueryRow(ctx, sqlLastChange).Scan(&newest); err != nil {
			return translate("follow changes", err)
		}
		rewound = newest < after
	case err != nil:
		return translate("follow changes", err)
	default:
		rewound = lsn != m.lsn || at.UnixMicro() != m.at
	}
	if !rewound {
		return nil
	}
	s.seenMu.Lock()
	delete(s.seen, name)
	s.seenMu.Unlock()
	if s.reads.Replicas() > 0 {
		var pos string
		if err := pc.QueryRow(ctx, `SELECT pg_current_wal_insert_lsn()::text`).Scan(&pos); err != nil {
			return translate("follow changes", err)
		}
		v, err := ParseLSN(pos)
		if err != nil {
			return err
		}
		s.reads.Rewound(v)
	}
	return fmt.Errorf("postgis: follow changes after %d: %w", after, layers.ErrHistoryRewound)
}

// WaitAcked implements layers.ChangeAcks: it polls catalog.listeners (the
// live ones: their connection is still open) until none is behind id, or
// until timeout.
func (s *Store) WaitAcked(ctx context.Context, id int64, timeout time.Duration) (layers.Visibility, error) {
	start := time.Now()
	v := layers.Visibility{Change: id}
	pause := 2 * time.Millisecond
	for {
		if err := s.pool.QueryRow(ctx, sqlListenersBehind, id).Scan(&v.Listeners, &v.Lagging); err != nil {
			v.Waited = time.Since(start)
			return v, translate("wait for listeners", err)
		}
		v.Waited = time.Since(start)
		if v.Lagging == 0 || v.Waited >= timeout {
			return v, nil
		}
		select {
		case <-ctx.Done():
			return v, ctx.Err()
		case <-time.After(min(pause, timeout-v.Waited)):
		}
		pause = min(2*pause, 50*time.Millisecond)
	}
}
