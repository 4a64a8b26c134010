package layers

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/project"

	"github.com/coalmap/coalmap/formats"
)

// This file is the domain side of single-feature edits (OGC API – Features
// Part 4): a feature or a JSON merge patch sent by a client is read by the
// GeoJSON reader an import of a file uses and checked by the same import
// plan (dictionary matching, typing, geometry fit), so that an edit is
// refused, or repaired, exactly where and as an import would be. What only
// the database can judge — reprojection, validity (ST_IsValid, repaired with
// ST_MakeValid as an import does), India's bounds — is done by the
// FeatureEditor in the transaction that writes.

// EditOp is the kind of a single-feature edit.
type EditOp int

// Edit operations.
const (
	EditCreate  EditOp = iota + 1 // POST …/items: a new feature
	EditReplace                   // PUT …/items/{id}: the whole feature
	EditUpdate                    // PATCH …/items/{id}: a JSON merge patch
	EditDelete                    // DELETE …/items/{id}
)

var editOpNames = [...]string{EditCreate: "create", EditReplace: "replace", EditUpdate: "update", EditDelete: "delete"}

// String returns the operation's name: create, replace, update or delete.
func (o EditOp) String() string {
	if o <= 0 || int(o) >= len(editOpNames) {
		return fmt.Sprintf("EditOp(%d)", int(o))
	}
	return editOpNames[o]
}

// MarshalText implements encoding.TextMarshaler.
func (o EditOp) MarshalText() ([]byte, error) { return []byte(o.String()), nil }

// ErrStale is wrapped by the error of an edit conditional on a version of
// the feature (its ETag) that is no longer the current one: someone else
// changed it since it was read.
var ErrStale = errors.New("layers: the feature has changed since it was read")

// GeometryError refuses an edit's geometry or its CRS: what is wrong and,
// where PostGIS can tell, the point where it is (in EPSG:4326).
type GeometryError struct {
	// Field is "geometry" or "crs".
	Field    string
	Reason   string
	Location *orb.Point
}

func (e *GeometryError) Error() string {
	if e.Location != nil {
		return fmt.Sprintf("layers: %s: %s (at %.7g, %.7g)", e.Field, e.Reason, e.Location[0], e.Location[1])
	}
	return fmt.Sprintf("layers: %s: %s", e.Field, e.Reason)
}

// Is makes a GeometryError match ErrInvalid.
func (e *GeometryError) Is(target error) bool { return target == ErrInvalid }

// MaxEditBytes bounds the body of one edit (a feature or a patch).
const MaxEditBytes = 32 << 20

// EditRequest is an edit as a client sent it.
type EditRequest struct {
	Op EditOp
	// ID is the feature's id from the URL (replace, update, delete).
	ID string
	// Body is a GeoJSON Feature (create, replace) or a JSON merge patch of
	// one (update, RFC 7396); none for delete.
	Body []byte
	// SRID is the CRS of the body's coordinates (Content-Crs); 0 means the
	// body's own: CRS84 unless a legacy "crs" member says otherwise.
	SRID int
	// LatLon says the coordinates come latitude first (EPSG:4326 named by
	// its URI, as OGC API – Features Part 2 reads it).
	LatLon bool
	// IfMatch are the versions (ETags) of the feature the edit was made
	// against (If-Match may list several): the edit goes ahead only if the
	// feature's current version is one of them. Required for replace,
	// update and delete.
	IfMatch []string
	// Invalid and AllowOutside are the import's options of the same names.
	Invalid      InvalidMode
	AllowOutside bool
	Actor        Principal
}

// FeatureEdit is an edit checked against a layer's dictionary, ready for
// the FeatureEditor.
type FeatureEdit struct {
	Layer *Layer
	Op    EditOp
	// ID is the feature's id; on create, "" lets the store choose one.
	ID string
	// IfMatch are the feature versions the edit is conditional on.
	IfMatch []string
	// SetGeometry says the edit sets the geometry (always, but for an
	// update whose patch has no "geometry"); Geometry is then its WKB, of
	// exactly the layer's type, in SRID — nil for no geometry.
	SetGeometry bool
	Geometry    []byte
	SRID        int
	// CRSFrom says where SRID came from, for messages.
	CRSFrom string
	// Columns are the attributes the edit sets (all of them on create and
	// replace) and Values their typed values (nil for NULL).
	Columns []Attribute
	Values  []any

	Invalid      InvalidMode
	AllowOutside bool
	Actor        Principal
}

// EditResult is what an edit did.
type EditResult struct {
	Layer string
	Op    EditOp
	ID    string
	// ETag is the feature's new version ("" after a delete) and Feature
	// its GeoJSON as stored, in CRS84 (nil after a delete).
	ETag    string
	Feature []byte
	// DataVersion is the layer's data version after the edit.
	DataVersion int64
	// BBox bounds, in EPSG:4326, the old and the new geometry together:
	// what a tile or an overlap index must look at again. HasBBox is false
	// when neither had a geometry.
	BBox    orb.Bound
	HasBBox bool
	// Repaired says why the geometry was repaired ("" when it was not), in
	// the words of an import's report.
	Repaired string
	// Change is the id of the change event the edit committed (a
	// ChangeFeatures of this feature, bounded by BBox); Visibility says
	// how it reached the servers that follow the change feed.
	Change     int64
	Visibility Visibility
}

// EditRecord is one entry of a layer's edit history: who changed which
// feature, when, how, and the feature before and after (GeoJSON, null for
// the side that does not exist).
type EditRecord struct {
	ID          int64           `json:"id"`
	Layer       string          `json:"layer"`
	FeatureID   string          `json:"feature_id"`
	Op          EditOp          `json:"operation"`
	Actor       string          `json:"actor"`
	TokenID     int64           `json:"token_id,omitempty"`
	At          time.Time       `json:"at"`
	DataVersion int64           `json:"data_version"`
	Repaired    string          `json:"repaired,omitempty"`
	Before      json.RawMessage `json:"before"`
	After       json.RawMessage `json:"after"`
}

// EditQuery selects edit records, newest first.
type EditQuery struct {
	Layer string
	// FeatureID keeps the records of one feature ("" for all).
	FeatureID string
	// Before keeps the records with an id below it (0: from the newest).
	Before int64
	Limit  int
}

// FeatureEditor writes single-feature edits and keeps their history.
// Implemented by postgis.Store.
type FeatureEditor interface {
	// EditFeature applies e in one transaction with its audit record and
	// the layer's new data version. Errors wrap ErrNotFound (no such
	// feature), ErrStale (IfMatch is not the current version), ErrConflict
	// (the id is taken, or the layer changed shape meanwhile), or are a
	// *GeometryError or *ValidationError.
	EditFeature(ctx context.Context, e *FeatureEdit) (EditResult, error)
	// FeatureEdits returns edit records, newest first.
	FeatureEdits(ctx context.Context, q EditQuery) ([]EditRecord, error)
}

// PrepareEdit reads and checks req against layer l: the body through the
// GeoJSON reader and the import plan, so that a wrong property type, an
// unknown property, a broken or ill-fitting geometry is refused with the
// words an import uses. Unknown properties are refused (an edit does not
// extend the dictionary; an import does). Errors are *ValidationError
// (400: what and which field) or *GeometryError (422).
func PrepareEdit(l *Layer, req EditRequest) (*FeatureEdit, error) {
	e := &FeatureEdit{Layer: l, Op: req.Op, ID: req.ID, IfMatch: req.IfMatch, SRID: StorageSRID,
		Invalid: req.Invalid, AllowOutside: req.AllowOutside, Actor: req.Actor}
	switch req.Op {
	case EditDelete:
		return e, nil
	case EditCreate, EditReplace, EditUpdate:
	default:
		return nil, &ValidationError{Feature: -1, Field: "operation", Reason: fmt.Sprintf("unknown edit %v", req.Op)}
	}
	if len(bytes.TrimSpace(req.Body)) == 0 {
		return nil, &ValidationError{Feature: -1, Field: "body", Reason: "empty: want a GeoJSON Feature"}
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(req.Body, &top); err != nil {
		return nil, &ValidationError{Feature: -1, Field: "body", Reason: "not a JSON object: " + jsonReason(err)}
	}
	if t, ok := top["type"]; ok {
		var typ string
		if json.Unmarshal(t, &typ) != nil || typ != "Feature" {
			return nil, &ValidationError{Feature: -1, Field: "type", Reason: fmt.Sprintf("is %s; want \"Feature\" (one feature per request)", t)}
		}
	} else if req.Op != EditUpdate {
		return nil, &ValidationError{Feature: -1, Field: "type", Reason: "missing; want \"Feature\""}
	}
	if raw, ok := top["id"]; ok && req.Op != EditCreate && string(bytes.TrimSpace(raw)) != "null" {
		var id any
		_ = json.Unmarshal(raw, &id)
		if s := fmt.Sprint(id); s != req.ID {
			return nil, &ValidationError{Feature: -1, Field: "id", Reason: fmt.Sprintf("%s in the body is not the id in the URL (%q); an id cannot be changed", raw, req.ID)}
		}
	}
	doc := req.Body
	_, hasGeom := top["geometry"]
	_, hasProps := top["properties"]
	if req.Op == EditUpdate {
		// The patch's members as a Feature, so that the reader checks
		// them as it would a whole one: null and absent members read
		// alike there, and are told apart here.
		patch := map[string]json.RawMessage{"type": json.RawMessage(`"Feature"`), "geometry": json.RawMessage("null"), "properties": json.RawMessage("{}")}
		if hasGeom {
			patch["geometry"] = top["geometry"]
		}
		if p, ok := top["properties"]; ok && string(bytes.TrimSpace(p)) != "null" {
			patch["properties"] = p
		}
		if c, ok := top["crs"]; ok {
			patch["crs"] = c
		}
		doc, _ = json.Marshal(patch)
	}
	src, err := formats.ReadGeoJSON(bytes.NewReader(doc), formats.Options{SRID: req.SRID})
	if err != nil {
		return nil, readError(err)
	}
	defer src.Close()
	f, err := src.Next()
	if err != nil {
		return nil, readError(err)
	}
	crs := src.CRS()
	if req.SRID != 0 {
		crs.From = "Content-Crs"
	}
	if crs.SRID == 0 {
		return nil, &GeometryError{Field: "crs", Reason: fmt.Sprintf("the body's coordinate reference system is unknown (%s); name it in Content-Crs", crs.From)}
	}
	e.SRID, e.CRSFrom = crs.SRID, crs.From
	if req.LatLon && f.Geometry != nil {
		f.Geometry = project.Geometry(f.Geometry, func(p orb.Point) orb.Point { return orb.Point{p[1], p[0]} })
	}
	plan, err := PlanImport(*l, src.Fields(), crs, crs.SRID)
	if err != nil {
		return nil, err
	}
	if extra := plan.Columns[len(l.Attributes):]; len(extra) > 0 {
		c := extra[0]
		return nil, &ValidationError{Feature: -1, Field: c.Source, Reason: fmt.Sprintf("%q is not an attribute of %s (see its queryables)", c.Source, l.ID)}
	}
	plan.Columns = plan.Columns[:len(l.Attributes)]
	id, geom, values, err := plan.Row(f)
	if err != nil {
		var verr *ValidationError
		if errors.As(err, &verr) {
			if verr.Field == "geometry" {
				return nil, &GeometryError{Field: "geometry", Reason: verr.Reason}
			}
			return nil, &ValidationError{Feature: -1, Field: verr.Field, Reason: verr.Reason}
		}
		return nil, err
	}
	if req.Op == EditCreate {
		e.ID = id
	}
	e.SetGeometry = req.Op != EditUpdate || hasGeom
	e.Geometry = geom
	for i, c := range plan.Columns {
		// A patch sets the attributes it names; "properties": null
		// clears them all (RFC 7396: null removes a member).
		if req.Op == EditUpdate && c.Source == "" && !(hasProps && string(bytes.TrimSpace(top["properties"])) == "null") {
			continue
		}
		e.Columns = append(e.Columns, c.Attribute)
		e.Values = append(e.Values, values[i])
	}
	if req.Op == EditUpdate && !e.SetGeometry && len(e.Columns) == 0 {
		return nil, &ValidationError{Feature: -1, Field: "body", Reason: "the patch changes nothing (want \"geometry\" or \"properties\")"}
	}
	return e, nil
}

// readError turns a reader's error on a request body into the domain's:
// a geometry the reader refuses is a *GeometryError, anything else a
// *ValidationError naming the member.
func readError(err error) error {
	var ferr *formats.Error
	if !errors.As(err, &ferr) {
		if errors.Is(err, io.EOF) {
			return &ValidationError{Feature: -1, Field: "body", Reason: "no feature in the body"}
		}
		return err
	}
	field := ferr.Field
	if errors.Is(err, formats.ErrInvalidGeometry) {
		if field == "" {
			field = "geometry"
		}
		return &GeometryError{Field: field, Reason: ferr.Reason}
	}
	if field == "" {
		field = "body"
	}
	reason := ferr.Reason
	if ferr.Offset >= 0 {
		reason = fmt.Sprintf("%s (at byte %d)", reason, ferr.Offset)
	}
	return &ValidationError{Feature: -1, Field: field, Reason: reason}
}

func jsonReason(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("%v (at byte %d)", se, se.Offset)
	}
	return err.Error()
}

// DefaultEditWait bounds how long an edit waits, after its commit, for the
// servers following the change feed to have it.
const DefaultEditWait = 2 * time.Second

// Edits runs single-feature edits: it checks an edit against the layer
// (PrepareEdit), has the store apply it (with its change event, in one
// transaction), then waits until the servers that follow the change feed —
// this one's catalog, tile cache and overlap engine among them — have the
// change, so that the editor's next read anywhere sees it. A server that
// has not caught up within the wait is reported in the result, not waited
// for longer: the edit is committed either way.
type Edits struct {
	store FeatureEditor
	acks  ChangeAcks
	wait  time.Duration
}

// NewEdits returns the edit service over store; acks may be nil (nothing to
// wait for), wait <= 0 means DefaultEditWait.
func NewEdits(store FeatureEditor, acks ChangeAcks, wait time.Duration) *Edits {
	if wait <= 0 {
		wait = DefaultEditWait
	}
	return &Edits{store: store, acks: acks, wait: wait}
}

// Edit applies req to layer l.
func (ed *Edits) Edit(ctx context.Context, l *Layer, req EditRequest) (EditResult, error) {
	e, err := PrepareEdit(l, req)
	if err != nil {
		return EditResult{}, err
	}
	res, err := ed.store.EditFeature(ctx, e)
	if err != nil {
		return res, err
	}
	res.Visibility = Visibility{Change: res.Change}
	if ed.acks != nil && res.Change != 0 {
		v, err := ed.acks.WaitAcked(ctx, res.Change, ed.wait)
		if err != nil {
			// Committed: the answer stands; only the wait failed.
			v.Lagging = max(v.Lagging, 1)
		}
		res.Visibility = v
	}
	return res, nil
}

// History returns edit records, newest first.
func (ed *Edits) History(ctx context.Context, q EditQuery) ([]EditRecord, error) {
	return ed.store.FeatureEdits(ctx, q)
}
