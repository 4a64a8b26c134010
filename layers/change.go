package layers

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/paulmach/orb"
)

// ChangesChannel is the PostgreSQL channel on which every committed change
// is announced: one NOTIFY per commit, whose payload is the change as JSON
// (or only its id, when the change is too large for a payload: the listener
// then reads it from the log).
const ChangesChannel = "coalmap_changes"

// ChangeKind says what a commit changed of a layer.
type ChangeKind int

// Kinds of change.
const (
	// ChangeData: an import swapped a new version of the layer's data in.
	ChangeData ChangeKind = iota + 1
	// ChangeFeatures: single features were created, replaced, updated or
	// deleted (Change.FeatureIDs names them, Change.BBox bounds them).
	ChangeFeatures
	// ChangeMetadata: the descriptive metadata changed (title, style,
	// access…); the data did not, nor did its data version.
	ChangeMetadata
	// ChangeCreated: the layer appeared, with its table, attributes and
	// data committed together.
	ChangeCreated
	// ChangeDeleted: the layer and its table are gone.
	ChangeDeleted
)

var changeKindNames = [...]string{ChangeData: "data", ChangeFeatures: "features", ChangeMetadata: "metadata",
	ChangeCreated: "created", ChangeDeleted: "deleted"}

// String returns the kind's name: data, features, metadata, created or
// deleted.
func (k ChangeKind) String() string {
	if k <= 0 || int(k) >= len(changeKindNames) {
		return fmt.Sprintf("ChangeKind(%d)", int(k))
	}
	return changeKindNames[k]
}

// ParseChangeKind returns the kind named s.
func ParseChangeKind(s string) (ChangeKind, error) {
	for i, n := range changeKindNames {
		if n != "" && n == s {
			return ChangeKind(i), nil
		}
	}
	return 0, fmt.Errorf("layers: unknown change kind %q: %w", s, ErrInvalid)
}

// MarshalText implements encoding.TextMarshaler.
func (k ChangeKind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (k *ChangeKind) UnmarshalText(b []byte) error {
	v, err := ParseChangeKind(string(b))
	if err != nil {
		return err
	}
	*k = v
	return nil
}

// DataChanged reports whether a change of this kind changes the features a
// reader sees (everything but a metadata change).
func (k ChangeKind) DataChanged() bool { return k != ChangeMetadata }

// Change is one committed change of a layer: the event a store writes in the
// same transaction as the change itself (a row of its change log and one
// NOTIFY), and that the catalog, the tile cache, the tile bands and the
// overlap engine each follow.
type Change struct {
	// ID numbers the change in the log: ids grow in commit order, so a
	// listener that reconnects catches up from the last id it saw.
	ID    int64  `json:"id"`
	Layer string `json:"layer"`
	// Version is the layer's data version after the commit (for a metadata
	// change, the unchanged data version).
	Version int64 `json:"version"`
	// MetadataVersion is the layer's metadata version after the commit;
	// metadata changes bump it, data changes leave it.
	MetadataVersion int64      `json:"metadata_version"`
	Kind            ChangeKind `json:"kind"`
	// BBox bounds (EPSG:4326) what changed: for an import, the union of
	// the old and new extents; for an edit, the old and new geometries.
	// Empty (the zero Bound) when nothing located changed.
	BBox orb.Bound `json:"bbox"`
	// FeatureIDs are the features a ChangeFeatures touched.
	FeatureIDs []string `json:"feature_ids,omitempty"`
	// LSN is the WAL position (pg_lsn text) when the change's row was
	// written, inside its transaction: before the commit record, so a
	// replica that has replayed past it need not show the change yet. The
	// position that read replicas are held to is read after the commit by
	// whoever learns of the change (package postgis, "Reads from replicas").
	LSN string `json:"lsn,omitempty"`
	// At is when the change was committed, as the database's clock says.
	At time.Time `json:"at"`
}

// MarshalJSON writes BBox as [west, south, east, north] (null when empty).
func (c Change) MarshalJSON() ([]byte, error) {
	type plain Change
	var bbox *Extent
	if c.BBox != (orb.Bound{}) {
		e := ExtentOf(c.BBox)
		bbox = &e
	}
	return json.Marshal(struct {
		plain
		BBox *Extent `json:"bbox"`
	}{plain(c), bbox})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (c *Change) UnmarshalJSON(b []byte) error {
	type plain Change
	var v struct {
		plain
		BBox *Extent `json:"bbox"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*c = Change(v.plain)
	c.BBox = orb.Bound{}
	if v.BBox != nil {
		c.BBox = v.BBox.Bound()
	}
	return nil
}

// ChangeFeed is the log of committed changes. Implemented by
// postgis.Store.
type ChangeFeed interface {
	// LastChange returns the id of the newest change in the log (0 when
	// there is none).
	LastChange(ctx context.Context) (int64, error)
	// FollowChanges calls fn, in commit order, for every change after the
	// one numbered after, first those already in the log and then each one
	// as it is committed, until ctx ends or the feed fails (it then
	// returns; the caller calls again with the last id it saw). Once fn
	// returns nil for a change, the feed acknowledges it under name, so
	// that a writer can wait until every listener has the change (see
	// ChangeAcks). An error from fn ends the call. A call that finds the
	// change numbered after gone from the log, or another change under
	// its number, returns an error wrapping ErrHistoryRewound.
	FollowChanges(ctx context.Context, name string, after int64, fn func(Change) error) error
}

// ChangeAcks tells a writer when the listeners of the change feed have a
// change.
type ChangeAcks interface {
	// WaitAcked waits until every live listener has acknowledged change id,
	// or until timeout. It says how long it waited and how many listeners
	// there were and had not yet acknowledged it when it returned.
	WaitAcked(ctx context.Context, id int64, timeout time.Duration) (Visibility, error)
}

// Visibility says how a committed change reached the servers that follow
// the change feed.
type Visibility struct {
	// Change is the id of the change waited for.
	Change int64 `json:"change"`
	// Listeners counts the live listeners; Lagging those that had not
	// acknowledged the change when the wait ended (0 once all have it).
	Listeners int `json:"listeners"`
	Lagging   int `json:"lagging"`
	// Waited is how long the writer waited after its commit.
	Waited time.Duration `json:"waited_ns"`
}

// Visible reports whether every listener had the change.
func (v Visibility) Visible() bool { return v.Lagging == 0 }
